import TributaryWire

/// Heartbeats and the idle deadline of an open session: the part both sides share.
struct Liveness: Sendable {
    var heartbeatInterval: Duration
    var idleTimeout: Duration
    var heartbeatsSent: UInt64 = 0
    /// When the peer was last heard from.
    var lastHeard: ContinuousClock.Instant

    /// A timer of an open session fired: the heartbeat and idle timers are handled here (`expired`
    /// true when the session must close); any other timer asks for nothing.
    mutating func timerFired(
        _ timer: SessionTimer, now: ContinuousClock.Instant, unixMilliseconds: Int64, peer: String
    ) -> (expired: Bool, actions: [SessionAction]) {
        switch timer {
        case .heartbeat: (false, heartbeatDue(now: now, unixMilliseconds: unixMilliseconds))
        case .idle: idleCheck(now: now, peer: peer)
        case .handshake: (false, [])
        }
    }

    /// The heartbeat timer fired: send one and schedule the next.
    mutating func heartbeatDue(now: ContinuousClock.Instant, unixMilliseconds: Int64) -> [SessionAction] {
        heartbeatsSent += 1
        return [.send(.heartbeat(Heartbeat(sequence: heartbeatsSent, unixMilliseconds: unixMilliseconds))),
                .schedule(.heartbeat, at: now + heartbeatInterval)]
    }

    /// The idle timer fired. While the peer is within its deadline, the timer is re-armed
    /// (`expired` false); past it, the session says Goodbye and closes (`expired` true).
    func idleCheck(now: ContinuousClock.Instant, peer: String) -> (expired: Bool, actions: [SessionAction]) {
        let deadline = lastHeard + idleTimeout
        if now < deadline { return (false, [.schedule(.idle, at: deadline)]) }
        let detail = "\(peer) sent nothing for \(lastHeard.duration(to: now)) (limit \(idleTimeout))"
        return (true, .cancelAllTimers + [.send(.goodbye(Goodbye(reason: .idleTimeout, detail: detail))),
                                          .close(SessionError(.idleTimeout, detail))])
    }
}

extension Array where Element == SessionAction {
    /// The decoder refused inbound bytes from `peer`: answer with an Error frame and close.
    static func refusingFrame(_ error: WireError, from peer: String) -> [SessionAction] {
        .cancelAllTimers + [.send(.error(error.errorMessage)),
                            .close(SessionError(SessionError.Code(error.code.errorMessageCode), "refused a frame from \(peer): \(error.reason)"))]
    }
}
