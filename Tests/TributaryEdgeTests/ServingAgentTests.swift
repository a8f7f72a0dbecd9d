import Foundation
import Logging
import Testing
import TributaryEdge
import TributaryFeedback
import TributaryLearning
import TributaryWire

/// The agent's loop with a real feedback store (SQLite) against a scripted coordinator over
/// loopback mutual TLS: it serves the adopted release, logs what it serves, and the feedback on
/// those predictions reaches its accuracy-drop trigger as live outcomes.
@Suite struct ServingAgentTests {
    @Test func feedbackOnServedPredictionsFiresTheAccuracyDropTrigger() async throws {
        let fleet = try EdgeTestFleet()
        defer { fleet.remove() }
        let coordinator = try await LoopbackCoordinator(configuration: try await fleet.serverConfiguration(version: 1),
                                                        script: EdgeAgentLoopbackTests.offerOnce)
        var configuration = EdgeSamples.configuration(port: coordinator.port, state: fleet.directory + "/state")
        // Two right then two wrong live outcomes are a drop of 1.0; no other trigger can fire.
        configuration.triggers.trigger = .init(volumeThreshold: nil, accuracyDropMargin: 0.4, accuracyWindow: 2)
        let store = try FeedbackStore(path: fleet.directory + "/feedback.sqlite", configuration: .init(featureCount: 4, classCount: 2))
        let data = EdgeSamples.data(count: 40, seed: 13)
        for row in 0..<data.count {
            try store.insert(FeedbackRecord(features: Array(data.row(row)), label: data.labels[row], provenance: .label))
        }
        let events = Recorded<EdgeEvent>()
        let agent = try EdgeAgent(configuration: configuration, clientID: "gw-live", transport: try fleet.edgeTransport("gw-live"),
                                  data: FeedbackStoreSource(store: store), logger: EdgeAgentLoopbackTests.logger, onEvent: { events.append($0) })
        #expect(throws: FeedbackError(.noModel, "")) { try agent.predict([[0, 0, 0, 0]]) }
        let running = Task { try await agent.run() }
        #expect(await events.wait { $0.contains(.adopted(version: 2)) }, "\(events.all)")

        let served = try agent.predict((0..<4).map { Array(data.row($0)) })
        #expect(served.map(\.modelVersion) == [2, 2, 2, 2])
        #expect(try store.predictions.count() == 4 && served.map(\.id) == [1, 2, 3, 4])
        try store.insert([
            FeedbackRecord(label: nil, provenance: .confirm, predictionID: served[0].id),
            FeedbackRecord(label: nil, provenance: .confirm, predictionID: served[1].id),
            FeedbackRecord(label: 1 - served[2].predictedClass, provenance: .correction, predictionID: served[2].id),
            FeedbackRecord(label: nil, provenance: .reject, predictionID: served[3].id),
        ])
        #expect(try store.predictions.liveAccuracy() == [LiveAccuracy(modelVersion: 2, correct: 2, total: 4)])
        #expect(await events.wait { $0.contains(.readySent(trigger: "accuracy_drop")) }, "\(events.all)")
        #expect(await coordinator.received.wait { $0.contains { if case .ready(let ready) = $0 { ready.trigger == "accuracy_drop" } else { false } } })
        agent.stop()
        try await running.value
        await coordinator.stop()
    }
}
