import TributaryWire

/// The edge agent's side of a session: a value type, events in, actions out.
///
/// Sequence: after the TLS handshake the edge sends nothing and waits (with a deadline) for
/// the coordinator's first frame. In TLS 1.3 a client whose certificate the server refuses only
/// learns it on its first read, so waiting first turns every refusal into a readable error.
/// - `Welcome`: the edge answers `Hello`, starts heartbeats (the shorter of its own interval and
///   the coordinator's) and the idle check, and delivers the Welcome.
/// - `Reject`: the session ends with the Reject's code (``SessionError/Code/revoked`` …).
/// - Open: RoundOffer and ModelRelease are delivered; the application answers an offer with
///   ``send(_:now:)`` of an Update for that round and base version, once.
public struct EdgeSession: Sendable {
    private struct Open: Sendable {
        var welcome: Welcome
        var liveness: Liveness
        /// The round offered and not answered yet: round id → base model version.
        var offered: [UInt64: UInt64] = [:]
        /// Evaluations asked for and not answered yet: evaluation id → version.
        var evaluating: [UInt64: UInt64] = [:]
        /// The round offered with secure aggregation, whose phases may flow.
        var secureRound: UInt64?
    }

    private enum State: Sendable {
        case idle
        case awaitingWelcome
        case open(Open)
        case closed
    }

    public let configuration: SessionConfiguration
    public let hello: Hello
    private var state: State = .idle

    public init(hello: Hello, configuration: SessionConfiguration = .init()) {
        self.hello = hello
        self.configuration = configuration
    }

    public var isOpen: Bool {
        if case .open = state { return true }
        return false
    }

    public var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    /// The TLS handshake finished: wait for Welcome or Reject.
    public mutating func connected(now: ContinuousClock.Instant) -> [SessionAction] {
        guard case .idle = state else { return [] }
        state = .awaitingWelcome
        return [.schedule(.handshake, at: now + configuration.handshakeTimeout)]
    }

    public mutating func received(_ message: WireMessage, now: ContinuousClock.Instant) -> [SessionAction] {
        switch state {
        case .idle:
            return fail(.outOfSequence, "\(message.name) arrived before the TLS handshake finished")
        case .closed:
            return []
        case .awaitingWelcome:
            return receivedFirst(message, now: now)
        case .open(var open):
            open.liveness.lastHeard = now
            state = .open(open)
            return receivedWhileOpen(message, open: open)
        }
    }

    private mutating func receivedFirst(_ message: WireMessage, now: ContinuousClock.Instant) -> [SessionAction] {
        switch message {
        case .welcome(let welcome):
            guard configuration.supportedProtocolVersions.contains(welcome.serverProtocolVersion) else {
                let versions = configuration.supportedProtocolVersions
                return fail(.unsupportedProtocolVersion,
                            "Welcome.server_protocol_version is \(welcome.serverProtocolVersion); this edge speaks \(versions.lowerBound)...\(versions.upperBound)")
            }
            let announced = Duration.milliseconds(Int64(welcome.heartbeatIntervalMilliseconds))
            let interval = min(configuration.heartbeatInterval, announced)
            let idle = max(configuration.idleTimeout, announced * 3)
            state = .open(Open(welcome: welcome, liveness: Liveness(heartbeatInterval: interval, idleTimeout: idle, lastHeard: now)))
            return [.cancel(.handshake),
                    .send(.hello(hello)),
                    .schedule(.heartbeat, at: now + interval),
                    .schedule(.idle, at: now + idle),
                    .deliver(.welcome(welcome))]
        case .reject(let reject):
            return rejected(reject)
        case .error(let error):
            return peerError(error)
        case .goodbye(let goodbye):
            return peerGoodbye(goodbye)
        default:
            return fail(.outOfSequence, "\(message.name) arrived before Welcome; the coordinator's first message must be Welcome or Reject")
        }
    }

    private mutating func receivedWhileOpen(_ message: WireMessage, open: Open) -> [SessionAction] {
        switch message {
        case .heartbeat:
            return []
        case .roundOffer(let offer):
            var open = open
            open.offered = [offer.roundID: offer.baseModelVersion]  // a new offer replaces an unanswered one
            open.secureRound = offer.secureAggregation == nil ? nil : offer.roundID
            state = .open(open)
            return [.deliver(message)]
        case .evaluateRequest(let request):
            var open = open
            open.evaluating[request.evaluationID] = request.version
            state = .open(open)
            return [.deliver(message)]
        case .modelRelease, .updateReceipt:
            return [.deliver(message)]
        case .secureAggregation(let secure):
            guard !secure.isFromClient else {
                return fail(.outOfSequence, "\(message.name) is sent by a client, not by the coordinator")
            }
            guard secure.roundID == open.secureRound else {
                return fail(.outOfSequence,
                            "\(message.name).round_id is \(secure.roundID); the secure round offered is \(open.secureRound.map(String.init) ?? "none")")
            }
            return [.deliver(message)]
        case .reject(let reject):
            return rejected(reject)
        case .error(let error):
            return peerError(error)
        case .goodbye(let goodbye):
            return [.deliver(message)] + peerGoodbye(goodbye)
        case .welcome:
            return fail(.outOfSequence, "a second Welcome arrived")
        case .hello, .update, .ready, .evaluateResult:
            return fail(.outOfSequence, "\(message.name) is sent by a client, not by the coordinator")
        case .chunk:
            return fail(.outOfSequence, "a PayloadChunk reached the session; chunks are reassembled below it")
        }
    }

    /// The application wants to send a message (Update, Ready, Goodbye).
    /// - Throws: ``SessionError/Code/notReady`` when the session is not open, or the Update answers
    ///   no open offer (wrong round or base version), so nothing out of sequence ever leaves.
    public mutating func send(_ message: WireMessage, now: ContinuousClock.Instant) throws -> [SessionAction] {
        guard case .open(var open) = state else {
            throw SessionError(.notReady, "cannot send \(message.name): the session is not open")
        }
        switch message {
        case .update(let update):
            guard let base = open.offered[update.roundID] else {
                throw SessionError(.notReady, "cannot send Update for round \(update.roundID): no open RoundOffer has that id")
            }
            guard base == update.baseModelVersion else {
                throw SessionError(.notReady, "cannot send Update.base_model_version \(update.baseModelVersion): round \(update.roundID) was offered at version \(base)")
            }
            open.offered[update.roundID] = nil
            state = .open(open)
            return [.send(message)]
        case .evaluateResult(let result):
            guard open.evaluating[result.evaluationID] == result.version else {
                throw SessionError(.notReady, "cannot send EvaluateResult for evaluation \(result.evaluationID) of version \(result.version): no open EvaluateRequest asks for it")
            }
            open.evaluating[result.evaluationID] = nil
            state = .open(open)
            return [.send(message)]
        case .heartbeat, .ready:
            return [.send(message)]
        case .secureAggregation(let secure):
            guard secure.isFromClient, secure.roundID == open.secureRound else {
                throw SessionError(.notReady, "cannot send \(message.name) for round \(secure.roundID): the secure round offered is \(open.secureRound.map(String.init) ?? "none")")
            }
            return [.send(message)]
        case .goodbye:
            state = .closed
            return .cancelAllTimers + [.send(message), .close(nil)]
        default:
            throw SessionError(.notReady, "cannot send \(message.name): not a message an edge sends on an open session")
        }
    }

    public mutating func timerFired(_ timer: SessionTimer, now: ContinuousClock.Instant, unixMilliseconds: Int64 = 0) -> [SessionAction] {
        switch (state, timer) {
        case (.awaitingWelcome, .handshake):
            state = .closed
            return .cancelAllTimers + [.close(SessionError(
                .handshakeTimeout,
                "the coordinator sent neither Welcome nor Reject within \(configuration.handshakeTimeout) of the TLS handshake"))]
        case (.open(var open), _):
            let fired = open.liveness.timerFired(timer, now: now, unixMilliseconds: unixMilliseconds, peer: "the coordinator")
            state = fired.expired ? .closed : .open(open)
            return fired.actions
        default:
            return []
        }
    }

    /// The frame decoder refused inbound bytes.
    public mutating func decodingFailed(_ error: WireError) -> [SessionAction] {
        if case .closed = state { return [] }
        state = .closed
        return .refusingFrame(error, from: "the coordinator")
    }

    /// The connection is gone. Returns the error to report, or nil after a clean end.
    public mutating func disconnected() -> SessionError? {
        defer { state = .closed }
        switch state {
        case .closed: return nil
        case .idle: return SessionError(.connectionClosed, "the connection closed during the TLS handshake")
        case .awaitingWelcome:
            return SessionError(.connectionClosed, "the coordinator closed the connection before Welcome or Reject")
        case .open: return SessionError(.connectionClosed, "the coordinator closed the connection without Goodbye")
        }
    }

    private mutating func fail(_ code: ErrorMessage.Code, _ reason: String) -> [SessionAction] {
        state = .closed
        return .cancelAllTimers + [.send(.error(ErrorMessage(code: code, message: reason))),
                                   .close(SessionError(SessionError.Code(code), "refused the coordinator's frame: \(reason)"))]
    }

    private mutating func rejected(_ reject: Reject) -> [SessionAction] {
        state = .closed
        return .cancelAllTimers + [.close(SessionError(
            SessionError.Code(reject.code), "coordinator rejected this client: \(reject.reason)", origin: .peer))]
    }

    private mutating func peerError(_ error: ErrorMessage) -> [SessionAction] {
        state = .closed
        return .cancelAllTimers + [.close(SessionError(
            SessionError.Code(error.code), "coordinator refused a frame from this client: \(error.message)", origin: .peer))]
    }

    private mutating func peerGoodbye(_ goodbye: Goodbye) -> [SessionAction] {
        state = .closed
        let error: SessionError? =
            switch goodbye.reason {
            case .done: nil
            case .revoked: SessionError(.revoked, "the coordinator revoked this client: \(goodbye.detail)", origin: .peer)
            default: SessionError(.goodbye, "coordinator said Goodbye (reason \(goodbye.reason.rawValue)): \(goodbye.detail)", origin: .peer)
            }
        return .cancelAllTimers + [.close(error)]
    }
}
