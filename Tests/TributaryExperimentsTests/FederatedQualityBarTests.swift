import Testing
import TributaryAggregation
import TributaryExperiments
import TributaryLearning

/// The federated quality bar (issue 13) on the digits protocol, over seeds 0–4 as
/// `tributary federate --seed N` runs them: 10 clients, each task's data split with Dirichlet(0.5)
/// over labels, 10 rounds per task, and one configuration for both scenarios (consolidation at each
/// new task with the normalised Fisher, seen-class masking, class-balanced replay of 30 per client).
/// Federated replay alone (FedAvg, no EWC) and plain FedAvg run in the same test.
@Suite(.serialized) struct FederatedQualityBarTests {
    static let seeds: [UInt64] = [0, 1, 2, 3, 4]

    struct Summary: Sendable {
        var accuracy: [Double] = [], newest: [Double] = [], backward: [Double] = []
        var meanAccuracy: Double { accuracy.reduce(0, +) / Double(accuracy.count) }
        var meanNewest: Double { newest.reduce(0, +) / Double(newest.count) }
        var meanBackward: Double { backward.reduce(0, +) / Double(backward.count) }
        var description: String {
            "ACC \(accuracy.map { ($0 * 1000).rounded() / 10 }) newest \(newest.map { ($0 * 1000).rounded() / 10 }) BWT \(backward.map { ($0 * 1000).rounded() / 10 })"
        }
    }

    static func run(_ scenario: DigitsBenchmark.Scenario, _ configure: @escaping @Sendable (inout FederatedConfiguration) -> Void = { _ in }) async throws -> Summary {
        try await offThePool { try runHere(scenario, configure) }
    }

    static func runHere(_ scenario: DigitsBenchmark.Scenario, _ configure: (inout FederatedConfiguration) -> Void) throws -> Summary {
        let digits = try DigitsBenchmark.load(path: QualityBarTests.digitsPath)
        var summary = Summary()
        for seed in seeds {
            var configuration = FederatedConfiguration()
            configure(&configuration)
            configuration.seed = seed
            let matrix = try FederatedRunner.run(tasks: DigitsBenchmark.tasks(scenario, data: digits, seed: seed), configuration: configuration).matrix
            summary.accuracy.append(matrix.averageAccuracy)
            summary.newest.append(matrix.values.last!.last!)
            summary.backward.append(matrix.backwardTransfer)
        }
        return summary
    }

    @Sendable static func replayAlone(_ configuration: inout FederatedConfiguration) {
        configuration.ewcLambda = 0
        configuration.rule = .fedAvg
    }

    @Test func splitDigits() async throws {
        let protected = try await Self.run(.split)
        #expect(protected.meanAccuracy >= 0.887, "\(protected.description)")
        #expect(protected.meanNewest >= 0.85, "\(protected.description)")
        #expect(protected.meanBackward >= -0.11, "\(protected.description)")
        #expect(protected.accuracy.allSatisfy { $0 >= 0.85 }, "\(protected.description)")
        let replay = try await Self.run(.split, Self.replayAlone)
        #expect(protected.meanAccuracy >= replay.meanAccuracy - 0.01, "EWC + replay \(protected.meanAccuracy), replay alone \(replay.description)")
        let plain = try await Self.run(.split) { $0 = .plainFedAvg }
        #expect(plain.meanAccuracy < protected.meanAccuracy - 0.2, "FedAvg \(plain.description)")
    }

    @Test func permutedDigits() async throws {
        let protected = try await Self.run(.permuted)
        #expect(protected.meanAccuracy >= 0.81, "\(protected.description)")
        #expect(protected.meanBackward >= -0.11, "\(protected.description)")
        #expect(protected.accuracy.allSatisfy { $0 >= 0.78 }, "\(protected.description)")
        let replay = try await Self.run(.permuted, Self.replayAlone)
        #expect(protected.meanAccuracy >= replay.meanAccuracy - 0.01, "EWC + replay \(protected.meanAccuracy), replay alone \(replay.description)")
    }
}
