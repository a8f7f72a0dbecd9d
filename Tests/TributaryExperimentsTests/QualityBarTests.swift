import Foundation
import Testing
import TributaryExperiments
import TributaryLearning

/// The centralised quality bar on the digits protocol (seed 7, and the mean over seeds 0–4 as
/// `tributary demo --in-process --seed N` runs them): MLP 64-64-10, SGD lr 0.1, batch 32,
/// 10 epochs per task, EWC λ 10 online, replay 200 (reservoir).
@Suite(.serialized) struct QualityBarTests {
    static let digitsPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("data/digits.csv").path

    func run(_ scenario: DigitsBenchmark.Scenario, _ strategy: Strategy) throws -> AccuracyMatrix {
        let digits = try DigitsBenchmark.load(path: Self.digitsPath)
        #expect(digits.count == 1797)
        return try ContinualRunner.run(tasks: DigitsBenchmark.tasks(scenario, data: digits, seed: 7), strategy: strategy)
    }

    @Test func splitDigitsNaiveForgetsAndEWCWithReplayDoesNot() throws {
        let naive = try run(.split, .naive)
        let protected = try run(.split, .ewcReplay)
        #expect(naive.backwardTransfer <= -0.30, "naive BWT \(naive.backwardTransfer)")
        #expect(protected.averageAccuracy >= 0.85, "EWC+replay ACC \(protected.averageAccuracy)")
        #expect(protected.backwardTransfer >= naive.backwardTransfer + 0.40, "BWT \(protected.backwardTransfer) vs naive \(naive.backwardTransfer)")
    }

    @Test func permutedDigitsEWCWithReplayKeepsAccuracy() throws {
        let protected = try run(.permuted, .ewcReplay)
        #expect(protected.averageAccuracy >= 0.78, "EWC+replay ACC \(protected.averageAccuracy)")
        let naive = try run(.permuted, .naive)
        #expect(protected.averageAccuracy > naive.averageAccuracy + 0.1)
    }

    @Test(arguments: [(DigitsBenchmark.Scenario.split, 0.89), (.permuted, 0.82)])
    func ewcWithReplayMeanOverFiveSeeds(scenario: DigitsBenchmark.Scenario, bar: Double) async throws {
        let accuracy = try await offThePool {
            let digits = try DigitsBenchmark.load(path: Self.digitsPath)
            return try (UInt64(0)...4).map { seed in
                var configuration = ContinualConfiguration()
                configuration.seed = seed
                return try ContinualRunner.run(
                    tasks: DigitsBenchmark.tasks(scenario, data: digits, seed: seed), strategy: .ewcReplay, configuration: configuration).averageAccuracy
            }
        }
        #expect(accuracy.reduce(0, +) / 5 >= bar, "\(scenario) EWC + replay ACC per seed \(accuracy)")
    }

    @Test func protocolSplitsAreStratifiedAndStandardised() throws {
        let digits = try DigitsBenchmark.load(path: Self.digitsPath)
        let (train, test) = DigitsBenchmark.stratifiedSplit(digits, seed: 7)
        #expect(train.count + test.count == 1797)
        for label in digits.classes {
            let all = digits.labels.filter { $0 == label }.count
            #expect(train.labels.filter { $0 == label }.count == Int((Double(all) * 0.7).rounded()))
        }
        let split = DigitsBenchmark.tasks(.split, data: digits, seed: 7)
        #expect(split.map(\.classes) == [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]])
        let standardised = Standardizer(fitting: split[0].train)
        #expect(standardised.mean.allSatisfy { abs($0) < 1e-4 })
        let permuted = DigitsBenchmark.tasks(.permuted, data: digits, seed: 7)
        #expect(permuted.count == 5)
        #expect(Set(permuted[1].train.features) == Set(permuted[0].train.features))
        #expect(permuted[1].train.features != permuted[0].train.features)
    }
}
