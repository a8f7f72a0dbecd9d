import Foundation

/// Where a registry lives and what clock stamps its rows.
public struct RegistryConfiguration: Sendable {
    /// The registry directory: `registry.sqlite` and `blobs/` inside it.
    public var directory: String
    /// The time recorded in rows (injected so tests and replays are deterministic).
    public var clock: @Sendable () -> Date
    /// How long a writer waits for another process's lock before failing.
    public var busyTimeout: TimeInterval

    public init(directory: String, clock: @escaping @Sendable () -> Date = { Date() }, busyTimeout: TimeInterval = 10) {
        self.directory = directory
        self.clock = clock
        self.busyTimeout = busyTimeout
    }

    public var databasePath: String { directory + "/registry.sqlite" }
}
