import TributarySession
import TributaryWire

/// What the channel handler needs from either side's session state machine.
package protocol SessionMachine: Sendable {
    mutating func received(_ message: WireMessage, now: ContinuousClock.Instant) -> [SessionAction]
    mutating func send(_ message: WireMessage, now: ContinuousClock.Instant) throws -> [SessionAction]
    mutating func timerFired(_ timer: SessionTimer, now: ContinuousClock.Instant, unixMilliseconds: Int64) -> [SessionAction]
    mutating func decodingFailed(_ error: WireError) -> [SessionAction]
    mutating func disconnected() -> SessionError?
    /// The peer was revoked while connected (``SessionRevocation``).
    mutating func revoked(detail: String) -> [SessionAction]
    /// The peer's bytes are waiting unread because this side holds them back (``InboundWaiting``).
    mutating func peerIsSending(now: ContinuousClock.Instant)
    /// The largest frame body the peer announced it accepts; nil: this side's own limits.
    var peerMaxFrameBytes: Int? { get }
}

extension CoordinatorSession: SessionMachine {
    package var peerMaxFrameBytes: Int? { clientMaxFrameBytes }
}
extension EdgeSession: SessionMachine {
    /// The edge sends with its own limits (the coordinator announces none it needs smaller).
    package var peerMaxFrameBytes: Int? { nil }
    /// An edge revokes nobody: the coordinator's certificate is checked at each handshake.
    package mutating func revoked(detail: String) -> [SessionAction] { [] }
    /// An edge never holds back what it reads.
    package mutating func peerIsSending(now: ContinuousClock.Instant) {}
}

/// A user event from ``InboundGate`` to the session handler: the connection started (true) or
/// stopped (false) waiting for a receive permit. While it waits, the peer is sending, not silent.
package struct InboundWaiting: Sendable {
    package var waiting: Bool

    package init(waiting: Bool) {
        self.waiting = waiting
    }
}

/// A user event fired into a session's pipeline: its peer was revoked while connected.
package struct SessionRevocation: Sendable {
    package var detail: String

    package init(detail: String) {
        self.detail = detail
    }
}
