import TributarySession
import TributaryWire

enum Fixtures {
    static let t0 = ContinuousClock.Instant.now
    static let configuration = SessionConfiguration(
        heartbeatInterval: .seconds(10), idleTimeout: .seconds(30), handshakeTimeout: .seconds(5))

    static func hello(_ id: String = "edge-1", version: UInt32 = WireProtocol.version) -> Hello {
        Hello(protocolVersion: version, clientID: id,
              device: DeviceFacts(examplesAvailable: 10, charging: true, meteredNetwork: false, modelVersion: 0))
    }

    static func welcome(version: UInt32 = WireProtocol.version, heartbeatMilliseconds: UInt32 = 10_000) -> Welcome {
        Welcome(sessionID: "s-1", serverProtocolVersion: version, globalModelVersion: 3,
                heartbeatIntervalMilliseconds: heartbeatMilliseconds)
    }

    static func parameters() -> ParameterSet {
        try! ParameterSet([try! NamedTensor(name: "dense1.weight", tensor: Tensor([1, 2, 3]))])
    }

    static func offer(round: UInt64 = 7, base: UInt64 = 3) -> RoundOffer {
        RoundOffer(roundID: round, baseModelVersion: base, model: .full(parameters()),
                   plan: TrainingPlanMessage(epochs: 1, batchSize: 8, learningRate: 0.05, deadlineUnixMilliseconds: 1))
    }

    static func update(round: UInt64 = 7, base: UInt64 = 3) -> Update {
        Update(roundID: round, baseModelVersion: base, numExamples: 10, delta: parameters())
    }

    /// A coordinator session that has accepted Hello from edge-1.
    static func openCoordinator() -> CoordinatorSession {
        var session = CoordinatorSession(sessionID: "s-1", globalModelVersion: 3, configuration: configuration)
        _ = session.connected(admission: .admit(clientID: "edge-1"), now: t0)
        _ = session.received(.hello(hello()), now: t0)
        return session
    }

    /// An edge session that has received Welcome.
    static func openEdge() -> EdgeSession {
        var session = EdgeSession(hello: hello(), configuration: configuration)
        _ = session.connected(now: t0)
        _ = session.received(.welcome(welcome()), now: t0)
        return session
    }
}

extension [SessionAction] {
    /// The Error frame's code or Reject code sent, if any, and the close outcome.
    var sentErrorCode: ErrorMessage.Code? {
        for case .send(.error(let error)) in self { return error.code }
        return nil
    }
    var sentRejectCode: Reject.Code? {
        for case .send(.reject(let reject)) in self { return reject.code }
        return nil
    }
    var closeError: SessionError?? {
        for case .close(let error) in self { return .some(error) }
        return nil
    }
    var delivered: [WireMessage] {
        compactMap { if case .deliver(let message) = $0 { message } else { nil } }
    }
    var sent: [WireMessage] {
        compactMap { if case .send(let message) = $0 { message } else { nil } }
    }
}
