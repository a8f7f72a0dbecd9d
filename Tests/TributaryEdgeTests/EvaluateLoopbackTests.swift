import Foundation
import Testing
import TributaryCoordinatorTransport
import TributaryEdge
import TributaryFeedback
import TributaryLearning
import TributaryModelWire
import TributaryTransport
import TributaryWire

/// Federated evaluation, the edge's side, over mutual TLS on 127.0.0.1: a coordinator asks the
/// agent to evaluate a candidate; the agent answers with per-class counts on its held-out set
/// (the examples its store keeps back), and neither trains nor adopts the candidate.
@Suite struct EvaluateLoopbackTests {
    @Test func theAgentAnswersAnEvaluateRequestWithCountsOnItsHeldOutSet() async throws {
        let fleet = try EdgeTestFleet()
        defer { fleet.remove() }
        let global = try Checkpoint.fresh(spec: EdgeSamples.spec, seed: 5)
        let request = EvaluateRequest(
            evaluationID: 41, version: 6,
            model: .full(try LearningWire.parameterSet(global.parameters, layout: EdgeSamples.spec.parameterLayout)),
            architecture: LearningWire.architecture(EdgeSamples.spec), deadlineUnixMilliseconds: Int64(Date().timeIntervalSince1970 * 1000) + 600_000)
        let coordinator = try await LoopbackCoordinator(configuration: try await fleet.serverConfiguration(version: 1)) { session, client, record in
            if session == 1 { try await client.connection.send(.evaluateRequest(request)) }
            while let message = try await client.connection.next() { record(message) }
        }
        var configuration = EdgeSamples.configuration(port: coordinator.port, state: fleet.directory + "/state")
        configuration.triggers.trigger = .init(volumeThreshold: nil)
        let store = try FeedbackStore(path: fleet.directory + "/feedback.sqlite",
                                      configuration: .init(featureCount: 4, classCount: 2, heldOut: try HeldOutSplit(fraction: 0.3)))
        let data = EdgeSamples.data(count: 200, seed: 17)
        for row in 0..<data.count {
            try store.insert(FeedbackRecord(features: Array(data.row(row)), label: data.labels[row], provenance: .label))
        }
        let events = Recorded<EdgeEvent>()
        let agent = try EdgeAgent(configuration: configuration, clientID: "gw-eval", transport: try fleet.edgeTransport("gw-eval"),
                                  data: FeedbackStoreSource(store: store), logger: EdgeAgentLoopbackTests.logger, onEvent: { events.append($0) })
        let running = Task { try await agent.run() }
        #expect(await coordinator.received.wait { $0.contains { if case .evaluateResult = $0 { true } else { false } } }, "\(events.all)")
        agent.stop()
        try await running.value
        await coordinator.stop()

        let answers = coordinator.received.all.compactMap { if case .evaluateResult(let result) = $0 { result } else { nil } }
        let answer = try #require(answers.first)
        #expect(answers.count == 1)
        // What the candidate gets right on exactly the store's held-out examples, per true class.
        let heldOut = try store.heldOutSet(limit: 10_000)
        #expect((40...80).contains(heldOut.count), "\(heldOut.count) of 200 held out at 0.3")
        let predicted = Evaluation.predictions(try global.model(), on: heldOut)
        var expected: [UInt32: EvaluateResult.Count] = [:]
        for (label, guess) in zip(heldOut.labels, predicted) {
            expected[UInt32(label), default: .init(correct: 0, total: 0)].total += 1
            if guess == Int(label) { expected[UInt32(label), default: .init(correct: 0, total: 0)].correct += 1 }
        }
        #expect(answer == EvaluateResult(evaluationID: 41, version: 6, classes: expected))
        #expect(events.all.contains(.evaluated(version: 6, examples: UInt64(heldOut.count), correct: answer.correct, reason: "")))
        // Evaluated only: nothing adopted, no checkpoint written, no Update sent.
        #expect(!events.all.contains { if case .adopted = $0 { true } else { false } })
        #expect(!FileManager.default.fileExists(atPath: configuration.checkpointPath))
        #expect(!coordinator.received.all.contains { if case .update = $0 { true } else { false } })
    }
}
