import TributaryWire

/// The timers a session asks its shell to run. Scheduling a timer that is already scheduled
/// replaces it.
public enum SessionTimer: Sendable, Hashable, CaseIterable {
    /// The opening deadline (Hello on the coordinator, Welcome/Reject on the edge).
    case handshake
    /// Time to send the next Heartbeat.
    case heartbeat
    /// Time to check whether the peer has been silent too long.
    case idle
}

/// What a session asks its shell to do, in order.
public enum SessionAction: Sendable, Hashable {
    /// Write this message to the peer (the shell chunks large ones).
    case send(WireMessage)
    /// Hand this message to the application (RoundOffer, Update, ModelRelease, Hello, Welcome, Goodbye).
    case deliver(WireMessage)
    /// Fire ``SessionTimer`` at this instant (replacing an earlier one of the same kind).
    case schedule(SessionTimer, at: ContinuousClock.Instant)
    /// Stop a timer.
    case cancel(SessionTimer)
    /// Flush what was sent, then close the connection. `nil` is a clean end.
    case close(SessionError?)
}

extension Array where Element == SessionAction {
    static let cancelAllTimers: [SessionAction] = SessionTimer.allCases.map { .cancel($0) }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
