import Testing
import TributarySession
import TributaryWire

@Suite("Evaluate requests and results in a session")
struct EvaluateSessionTests {
    let t0 = Fixtures.t0

    func request(_ id: UInt64 = 5, version: UInt64 = 4) -> EvaluateRequest {
        EvaluateRequest(evaluationID: id, version: version, model: .full(Fixtures.parameters()), deadlineUnixMilliseconds: 1)
    }

    func result(_ id: UInt64 = 5, version: UInt64 = 4) -> EvaluateResult {
        EvaluateResult(evaluationID: id, version: version, classes: [0: .init(correct: 1, total: 2)])
    }

    func coordinator(features: [String]) -> CoordinatorSession {
        var session = CoordinatorSession(sessionID: "s-1", globalModelVersion: 3, configuration: Fixtures.configuration)
        _ = session.connected(admission: .admit(clientID: "edge-1"), now: t0)
        var hello = Fixtures.hello()
        hello.capabilities = Capabilities(features: features)
        _ = session.received(.hello(hello), now: t0)
        return session
    }

    @Test("the coordinator asks only a client that announced evaluate, and takes one answer per request")
    func coordinatorSide() throws {
        var old = coordinator(features: [])
        #expect(throws: SessionError.self) { _ = try old.send(.evaluateRequest(request()), now: t0) }

        var session = coordinator(features: ["evaluate"])
        #expect(try session.send(.evaluateRequest(request()), now: t0) == [.send(.evaluateRequest(request()))])
        // Another version than the one asked for is out of sequence.
        var wrongVersion = session
        #expect(wrongVersion.received(.evaluateResult(result(version: 9)), now: t0).sentErrorCode == .outOfSequence)
        #expect(session.received(.evaluateResult(result()), now: t0) == [.deliver(.evaluateResult(result()))])
        // Answered: a second result for it is out of sequence.
        #expect(session.received(.evaluateResult(result()), now: t0).sentErrorCode == .outOfSequence)
    }

    @Test("a client never sends a request, and answers only what it was asked")
    func edgeSide() throws {
        var coordinatorSide = coordinator(features: ["evaluate"])
        #expect(coordinatorSide.received(.evaluateRequest(request()), now: t0).sentErrorCode == .outOfSequence)

        var edge = Fixtures.openEdge()
        #expect(throws: SessionError.self) { _ = try edge.send(.evaluateResult(result()), now: t0) }
        #expect(edge.received(.evaluateRequest(request()), now: t0) == [.deliver(.evaluateRequest(request()))])
        #expect(try edge.send(.evaluateResult(result()), now: t0) == [.send(.evaluateResult(result()))])
        #expect(throws: SessionError.self) { _ = try edge.send(.evaluateResult(result()), now: t0) }
        #expect(Fixtures.openEdge().receivedResultFromCoordinator(result(), now: t0) == .outOfSequence)
    }
}

extension EdgeSession {
    fileprivate func receivedResultFromCoordinator(_ result: EvaluateResult, now: ContinuousClock.Instant) -> ErrorMessage.Code? {
        var session = self
        return session.received(.evaluateResult(result), now: now).sentErrorCode
    }
}
