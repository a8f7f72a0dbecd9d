import TributaryWire

/// One client's session as the coordinator sees it: a value type, events in, actions out.
///
/// Sequence (the coordinator speaks first, so a refused client hears why on its first read):
/// 1. ``connected(admission:now:)`` after the TLS handshake and the certificate check:
///    `Welcome` (and a handshake deadline), or `Reject` and close.
/// 2. The first client frame must be `Hello` with a supported `protocol_version` (else Error
///    `UNSUPPORTED_PROTOCOL_VERSION`) and the certificate's identity (else Reject
///    `IDENTITY_MISMATCH`) and a `capabilities.max_frame_bytes` of 0 or at least
///    ``minimumClientFrameBytes`` (else Reject `FRAME_LIMIT_TOO_SMALL`); anything else first is
///    Error `OUT_OF_SEQUENCE`. Every frame sent after Hello fits the client's `max_frame_bytes`.
/// 3. Open: the application sends RoundOffer/ModelRelease/UpdateReceipt via ``send(_:now:)``;
///    Ready is delivered as it comes; an Update is
///    delivered only for a round offered on this session, once, with the offered base version;
///    anything else is Error `OUT_OF_SEQUENCE`. Heartbeats both ways; a peer silent for
///    ``SessionConfiguration/idleTimeout`` gets `Goodbye{IDLE_TIMEOUT}`.
public struct CoordinatorSession: Sendable {
    /// What the certificate check decided.
    public enum Admission: Sendable, Hashable {
        /// The certificate is good; its identity is `clientID`.
        case admit(clientID: String)
        /// Refuse the client with this Reject (for example `REVOKED`).
        case refuse(Reject)
    }

    private struct Open: Sendable {
        var clientID: String
        var hello: Hello
        var liveness: Liveness
        /// Rounds offered on this session and not answered yet: round id → base model version.
        var offered: [UInt64: UInt64] = [:]
        /// Evaluations requested on this session and not answered yet: evaluation id → version.
        var evaluating: [UInt64: UInt64] = [:]
        /// The latest round offered on this session with secure aggregation: its phases may flow.
        var secureRound: UInt64?
    }

    private enum State: Sendable {
        case idle
        case awaitingHello(clientID: String, lastHeard: ContinuousClock.Instant)
        case open(Open)
        case closed
    }

    /// Smallest `Hello.capabilities.max_frame_bytes` accepted (0 = the protocol default is fine):
    /// frames to the client are cut to its limit, and a chunk frame needs room for its envelope
    /// (``WireConfiguration/chunkOverheadBytes``) around a useful slice. A Hello announcing less
    /// is refused with Reject `FRAME_LIMIT_TOO_SMALL`.
    public static let minimumClientFrameBytes = 1024

    public let configuration: SessionConfiguration
    public let sessionID: String
    /// The version Welcome announces. The shell sets it to the live version when the TLS
    /// handshake completes, just before ``connected(admission:now:)``.
    public var globalModelVersion: UInt64
    private var state: State = .idle

    public init(sessionID: String, globalModelVersion: UInt64, configuration: SessionConfiguration = .init()) {
        self.sessionID = sessionID
        self.globalModelVersion = globalModelVersion
        self.configuration = configuration
    }

    /// The identity from the certificate, once Hello matched it.
    public var clientID: String? {
        if case .open(let open) = state { return open.clientID }
        return nil
    }

    /// The largest frame body the client accepts (`Hello.capabilities.max_frame_bytes`), from
    /// its Hello on; nil when it announced 0 (the protocol default). The shell cuts every
    /// frame it sends to this size, the closing Goodbye, Error or Reject included.
    public private(set) var clientMaxFrameBytes: Int?

    /// True once Hello was accepted and until the session ends.
    public var isOpen: Bool {
        if case .open = state { return true }
        return false
    }

    public var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    /// The TLS handshake finished and the certificate was checked.
    public mutating func connected(admission: Admission, now: ContinuousClock.Instant) -> [SessionAction] {
        guard case .idle = state else { return [] }
        switch admission {
        case .refuse(let reject):
            state = .closed
            return [.send(.reject(reject)),
                    .close(SessionError(SessionError.Code(reject.code), "refused the client: \(reject.reason)"))]
        case .admit(let clientID):
            state = .awaitingHello(clientID: clientID, lastHeard: now)
            let welcome = Welcome(
                sessionID: sessionID, serverProtocolVersion: configuration.supportedProtocolVersions.upperBound,
                globalModelVersion: globalModelVersion,
                heartbeatIntervalMilliseconds: configuration.heartbeatIntervalMilliseconds)
            return [.send(.welcome(welcome)), .schedule(.handshake, at: now + configuration.handshakeTimeout)]
        }
    }

    /// A whole message arrived (chunked transfers already reassembled).
    public mutating func received(_ message: WireMessage, now: ContinuousClock.Instant) -> [SessionAction] {
        switch state {
        case .idle:
            return fail(.outOfSequence, "\(message.name) arrived before the session started")
        case .closed:
            return []
        case .awaitingHello(let clientID, _):
            return receivedFirst(message, clientID: clientID, now: now)
        case .open(var open):
            open.liveness.lastHeard = now
            state = .open(open)
            return receivedWhileOpen(message, open: open)
        }
    }

    private mutating func receivedFirst(_ message: WireMessage, clientID: String, now: ContinuousClock.Instant) -> [SessionAction] {
        switch message {
        case .hello(let hello):
            guard configuration.supportedProtocolVersions.contains(hello.protocolVersion) else {
                let versions = configuration.supportedProtocolVersions
                return fail(.unsupportedProtocolVersion,
                            "Hello.protocol_version is \(hello.protocolVersion); this coordinator speaks \(versions.lowerBound)...\(versions.upperBound)")
            }
            guard hello.clientID == clientID else {
                return refuse(.identityMismatch, "Hello.client_id is \"\(hello.clientID)\" but the client certificate names \"\(clientID)\"")
            }
            let frameLimit = Int(hello.capabilities.maxFrameBytes)
            if frameLimit > 0 { clientMaxFrameBytes = max(frameLimit, Self.minimumClientFrameBytes) }
            guard frameLimit == 0 || frameLimit >= Self.minimumClientFrameBytes else {
                return refuse(.frameLimitTooSmall,
                              "Hello.capabilities.max_frame_bytes is \(frameLimit); this coordinator needs at least \(Self.minimumClientFrameBytes) (or 0 for the protocol default)")
            }
            state = .open(Open(
                clientID: clientID, hello: hello,
                liveness: Liveness(heartbeatInterval: configuration.heartbeatInterval, idleTimeout: configuration.idleTimeout, lastHeard: now)))
            return [.cancel(.handshake),
                    .schedule(.heartbeat, at: now + configuration.heartbeatInterval),
                    .schedule(.idle, at: now + configuration.idleTimeout),
                    .deliver(.hello(hello))]
        case .goodbye(let goodbye):
            return peerGoodbye(goodbye)
        case .error(let error):
            return peerError(error)
        default:
            return fail(.outOfSequence, "\(message.name) arrived before Hello; the first client message must be Hello")
        }
    }

    private mutating func receivedWhileOpen(_ message: WireMessage, open: Open) -> [SessionAction] {
        switch message {
        case .heartbeat:
            return []
        case .ready:
            return [.deliver(message)]
        case .update(let update):
            guard let base = open.offered[update.roundID] else {
                let offered = open.offered.keys.sorted().map(String.init).joined(separator: ", ")
                return fail(.outOfSequence,
                            "Update.round_id is \(update.roundID); rounds open on this session: [\(offered)]")
            }
            guard update.baseModelVersion == base else {
                return fail(.outOfSequence,
                            "Update.base_model_version is \(update.baseModelVersion); round \(update.roundID) was offered at version \(base)")
            }
            var open = open
            open.offered[update.roundID] = nil
            state = .open(open)
            return [.deliver(.update(update))]
        case .evaluateResult(let result):
            guard let version = open.evaluating[result.evaluationID] else {
                let asked = open.evaluating.keys.sorted().map(String.init).joined(separator: ", ")
                return fail(.outOfSequence,
                            "EvaluateResult.evaluation_id is \(result.evaluationID); evaluations open on this session: [\(asked)]")
            }
            guard result.version == version else {
                return fail(.outOfSequence,
                            "EvaluateResult.version is \(result.version); evaluation \(result.evaluationID) asked for version \(version)")
            }
            var open = open
            open.evaluating[result.evaluationID] = nil
            state = .open(open)
            return [.deliver(message)]
        case .secureAggregation(let secure):
            guard secure.isFromClient else {
                return fail(.outOfSequence, "\(message.name) is sent by the coordinator, not by a client")
            }
            guard secure.roundID == open.secureRound else {
                return fail(.outOfSequence,
                            "\(message.name).round_id is \(secure.roundID); the secure round offered on this session is \(open.secureRound.map(String.init) ?? "none")")
            }
            return [.deliver(message)]
        case .goodbye(let goodbye):
            return [.deliver(.goodbye(goodbye))] + peerGoodbye(goodbye)
        case .error(let error):
            return peerError(error)
        case .hello:
            return fail(.outOfSequence, "a second Hello arrived; Hello is sent once per session")
        case .welcome, .reject, .roundOffer, .modelRelease, .updateReceipt, .evaluateRequest:
            return fail(.outOfSequence, "\(message.name) is sent by the coordinator, not by a client")
        case .chunk:
            return fail(.outOfSequence, "a PayloadChunk reached the session; chunks are reassembled below it")
        }
    }

    /// The application wants to send a message (RoundOffer, ModelRelease, Goodbye).
    /// - Throws: ``SessionError/Code/notReady`` when the session is not open or the message is not
    ///   the coordinator's to send.
    public mutating func send(_ message: WireMessage, now: ContinuousClock.Instant) throws -> [SessionAction] {
        guard case .open(var open) = state else {
            throw SessionError(.notReady, "cannot send \(message.name): the session is not open (\(stateName))")
        }
        switch message {
        case .roundOffer(let offer):
            if offer.secureAggregation != nil {
                guard open.hello.capabilities.features.contains(SecureRoundParameters.feature) else {
                    throw SessionError(.notReady, "cannot send a secure RoundOffer to \(open.clientID): its Hello did not list the \"\(SecureRoundParameters.feature)\" feature")
                }
                open.secureRound = offer.roundID
            }
            open.offered[offer.roundID] = offer.baseModelVersion
            state = .open(open)
            return [.send(message)]
        case .secureAggregation(let secure):
            guard !secure.isFromClient, secure.roundID == open.secureRound else {
                throw SessionError(.notReady, "cannot send \(message.name) for round \(secure.roundID) to \(open.clientID): the secure round offered on this session is \(open.secureRound.map(String.init) ?? "none")")
            }
            return [.send(message)]
        case .evaluateRequest(let request):
            guard open.hello.capabilities.features.contains(EvaluateRequest.feature) else {
                throw SessionError(.notReady, "cannot send EvaluateRequest to \(open.clientID): its Hello did not list the \"\(EvaluateRequest.feature)\" feature")
            }
            open.evaluating[request.evaluationID] = request.version
            state = .open(open)
            return [.send(message)]
        case .modelRelease, .heartbeat, .updateReceipt:
            return [.send(message)]
        case .goodbye:
            state = .closed
            return .cancelAllTimers + [.send(message), .close(nil)]
        default:
            throw SessionError(.notReady, "cannot send \(message.name): not a message the coordinator sends on an open session")
        }
    }

    /// The client's id or certificate was revoked while the session was open (or awaiting Hello):
    /// says Goodbye `REVOKED` and closes. A no-op once closed.
    public mutating func revoked(detail: String) -> [SessionAction] {
        switch state {
        case .awaitingHello, .open:
            state = .closed
            return .cancelAllTimers + [.send(.goodbye(Goodbye(reason: .revoked, detail: detail))), .close(SessionError(.revoked, detail))]
        case .idle, .closed:
            return []
        }
    }

    /// The client is known to be sending (its bytes wait unread while the coordinator holds back
    /// a large Update): counts as hearing from it, so the idle check does not drop it.
    public mutating func peerIsSending(now: ContinuousClock.Instant) {
        guard case .open(var open) = state else { return }
        open.liveness.lastHeard = now
        state = .open(open)
    }

    /// Forgets an offered round (the application abandoned it); a later Update for it is out of sequence.
    public mutating func withdraw(roundID: UInt64) {
        guard case .open(var open) = state else { return }
        open.offered[roundID] = nil
        state = .open(open)
    }

    /// A timer asked for by ``SessionAction/schedule(_:at:)`` fired.
    public mutating func timerFired(_ timer: SessionTimer, now: ContinuousClock.Instant, unixMilliseconds: Int64 = 0) -> [SessionAction] {
        switch (state, timer) {
        case (.awaitingHello, .handshake):
            state = .closed
            let detail = "no Hello within \(configuration.handshakeTimeout) after Welcome"
            return .cancelAllTimers + [.send(.goodbye(Goodbye(reason: .idleTimeout, detail: detail))),
                                       .close(SessionError(.handshakeTimeout, detail))]
        case (.open(var open), _):
            let fired = open.liveness.timerFired(timer, now: now, unixMilliseconds: unixMilliseconds, peer: "client \(open.clientID)")
            state = fired.expired ? .closed : .open(open)
            return fired.actions
        default:
            return []
        }
    }

    /// The frame decoder refused inbound bytes (oversized, garbage, wrong envelope version…).
    public mutating func decodingFailed(_ error: WireError) -> [SessionAction] {
        if case .closed = state { return [] }
        state = .closed
        return .refusingFrame(error, from: "the client")
    }

    /// The connection is gone. Returns the error to report, or nil when the session had ended cleanly.
    public mutating func disconnected() -> SessionError? {
        defer { state = .closed }
        switch state {
        case .closed: return nil
        case .idle: return SessionError(.connectionClosed, "the connection closed before the session started")
        case .awaitingHello: return SessionError(.connectionClosed, "the client closed the connection before Hello")
        case .open(let open): return SessionError(.connectionClosed, "client \(open.clientID) closed the connection without Goodbye")
        }
    }

    /// Refuses the client's Hello with a Reject and closes.
    private mutating func refuse(_ code: Reject.Code, _ reason: String) -> [SessionAction] {
        state = .closed
        return .cancelAllTimers + [.send(.reject(Reject(code: code, reason: reason))),
                                   .close(SessionError(SessionError.Code(code), "refused the client: \(reason)"))]
    }

    private mutating func fail(_ code: ErrorMessage.Code, _ reason: String) -> [SessionAction] {
        state = .closed
        return .cancelAllTimers + [.send(.error(ErrorMessage(code: code, message: reason))),
                                   .close(SessionError(SessionError.Code(code), "refused the client's frame: \(reason)"))]
    }

    private mutating func peerGoodbye(_ goodbye: Goodbye) -> [SessionAction] {
        state = .closed
        let error: SessionError? = goodbye.reason == .done || goodbye.reason == .shutdown ? nil
            : SessionError(.goodbye, "client said Goodbye (reason \(goodbye.reason.rawValue)): \(goodbye.detail)", origin: .peer)
        return .cancelAllTimers + [.close(error)]
    }

    private mutating func peerError(_ error: ErrorMessage) -> [SessionAction] {
        state = .closed
        return .cancelAllTimers + [.close(SessionError(SessionError.Code(error.code), "client refused our frame: \(error.message)", origin: .peer))]
    }

    private var stateName: String {
        switch state {
        case .idle: "not connected"
        case .awaitingHello: "waiting for Hello"
        case .open: "open"
        case .closed: "closed"
        }
    }
}
