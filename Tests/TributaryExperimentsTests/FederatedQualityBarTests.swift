import Testing
import TributaryExperiments
import TributaryLearning

/// The federated quality bar (issue 5) on the digits protocol, seed 7: 10 clients, each task's
/// data split with Dirichlet(0.5) over labels, 10 rounds per task, 1 local epoch at batch 8, local
/// replay of 20 examples per client, the global EWC state as local penalty and EWC-weighted
/// aggregation; plain FedAvg (no replay, no EWC) in the same test.
@Suite(.serialized) struct FederatedQualityBarTests {
    func tasks(_ scenario: DigitsBenchmark.Scenario) throws -> [ContinualTask] {
        DigitsBenchmark.tasks(scenario, data: try DigitsBenchmark.load(path: QualityBarTests.digitsPath), seed: 7)
    }

    @Test func splitDigits() throws {
        let tasks = try tasks(.split)
        let protected = try FederatedRunner.run(tasks: tasks, configuration: .protocolSettings(for: .split))
        let plain = try FederatedRunner.run(tasks: tasks, configuration: .plainFedAvg)
        #expect(protected.matrix.averageAccuracy >= 0.83, "ACC \(protected.matrix.averageAccuracy)")
        #expect(protected.matrix.backwardTransfer >= -0.20, "BWT \(protected.matrix.backwardTransfer)")
        #expect(plain.matrix.averageAccuracy < protected.matrix.averageAccuracy - 0.2, "FedAvg \(plain.matrix.averageAccuracy)")
        #expect(protected.roundAccuracy.count == 50)
    }

    @Test func permutedDigits() throws {
        let tasks = try tasks(.permuted)
        let protected = try FederatedRunner.run(tasks: tasks, configuration: .protocolSettings(for: .permuted))
        let plain = try FederatedRunner.run(tasks: tasks, configuration: .plainFedAvg)
        #expect(protected.matrix.averageAccuracy >= 0.76, "ACC \(protected.matrix.averageAccuracy)")
        #expect(plain.matrix.averageAccuracy < protected.matrix.averageAccuracy, "FedAvg \(plain.matrix.averageAccuracy)")
    }
}
