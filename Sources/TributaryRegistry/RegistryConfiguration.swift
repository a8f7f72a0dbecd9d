import Foundation

/// Where a registry lives and what clock stamps its rows.
public struct RegistryConfiguration: Sendable {
    /// The registry directory: `registry.sqlite` and `blobs/` inside it.
    public var directory: String
    /// The time recorded in rows (injected so tests and replays are deterministic).
    public var clock: @Sendable () -> Date
    /// How long a writer waits for another process's lock before failing.
    public var busyTimeout: TimeInterval
    /// What this process may do: `.shared` (rows, no lock) unless it writes rounds (`.exclusive`)
    /// or only reads (`.readOnly`).
    public var access: RegistryAccess

    public init(
        directory: String, clock: @escaping @Sendable () -> Date = { Date() }, busyTimeout: TimeInterval = 10,
        access: RegistryAccess = .shared
    ) {
        self.directory = directory
        self.clock = clock
        self.busyTimeout = busyTimeout
        self.access = access
    }

    public var databasePath: String { directory + "/registry.sqlite" }

    /// The exclusive lock's file in the directory, which also records its holder.
    public static let lockFile = "coordinator.lock"
}
