import TributaryWire

/// The deadlines and versions one session runs with, on either side.
///
/// Secure defaults: every wait has a deadline. Construct, change what you need, and call
/// ``validated()`` once (the transport does); a bad value throws a ``SessionError`` naming it.
public struct SessionConfiguration: Sendable, Hashable {
    /// How often this side sends a Heartbeat while the session is open. The coordinator
    /// announces its own in `Welcome.heartbeat_interval_ms`; the edge uses the shorter of the two.
    public var heartbeatInterval: Duration
    /// How long the peer may stay silent (no frame at all, heartbeats included) before the
    /// session ends with `Goodbye{IDLE_TIMEOUT}`. At least 2 heartbeat intervals.
    public var idleTimeout: Duration
    /// How long the opening may take: the coordinator waits this long for Hello after sending
    /// Welcome; the edge waits this long for Welcome or Reject after the TLS handshake.
    public var handshakeTimeout: Duration
    /// Hello/Welcome protocol versions this side speaks.
    public var supportedProtocolVersions: ClosedRange<UInt32>

    public init(
        heartbeatInterval: Duration = .seconds(10),
        idleTimeout: Duration = .seconds(30),
        handshakeTimeout: Duration = .seconds(10),
        supportedProtocolVersions: ClosedRange<UInt32> = WireProtocol.version...WireProtocol.version
    ) {
        self.heartbeatInterval = heartbeatInterval
        self.idleTimeout = idleTimeout
        self.handshakeTimeout = handshakeTimeout
        self.supportedProtocolVersions = supportedProtocolVersions
    }

    /// Checks every deadline; returns self so it can be chained.
    public func validated() throws -> SessionConfiguration {
        guard heartbeatInterval >= .milliseconds(10), heartbeatInterval <= .seconds(3600) else {
            throw SessionError(.invalidConfiguration, "SessionConfiguration.heartbeatInterval is \(heartbeatInterval); must be in 10 ms...1 h")
        }
        guard idleTimeout >= heartbeatInterval * 2 else {
            throw SessionError(.invalidConfiguration, "SessionConfiguration.idleTimeout is \(idleTimeout); must be at least 2 × heartbeatInterval (\(heartbeatInterval * 2))")
        }
        guard handshakeTimeout > .zero else {
            throw SessionError(.invalidConfiguration, "SessionConfiguration.handshakeTimeout is \(handshakeTimeout); must be > 0")
        }
        return self
    }

    var heartbeatIntervalMilliseconds: UInt32 {
        let (seconds, attoseconds) = heartbeatInterval.components
        return UInt32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}
