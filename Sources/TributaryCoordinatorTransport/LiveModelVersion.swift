import NIOConcurrencyHelpers

/// The global model version a coordinator's Welcome announces, shared between the code that
/// promotes versions (which sets it) and every new session (which reads it).
public final class LiveModelVersion: Sendable {
    private let version: NIOLockedValueBox<UInt64>

    public init(_ version: UInt64) {
        self.version = NIOLockedValueBox(version)
    }

    public var current: UInt64 {
        get { version.withLockedValue { $0 } }
    }

    public func set(_ newVersion: UInt64) {
        version.withLockedValue { $0 = newVersion }
    }
}
