import Testing
import TributaryAggregation
import TributaryExperiments
import TributaryLearning

/// `FederatedRunner`'s upload hook: the server folds what the hook leaves, and counts the bytes it reports.
@Suite struct FederatedUploadHookTests {
    static func run(upload: ((Int, inout ClientUpdate) throws -> Int)?) throws -> FederatedResult {
        let digits = try DigitsBenchmark.load(path: CSVTaskSourceTests.digitsPath)
        let tasks = Array(DigitsBenchmark.tasks(.split, data: digits, seed: 3).prefix(1))
        var configuration = FederatedConfiguration()
        configuration.clients = 3
        configuration.roundsPerTask = 2
        configuration.dirichletAlpha = nil  // IID: every client has data in every round
        configuration.localEpochs = 1
        configuration.seed = 3
        return try FederatedRunner.run(tasks: tasks, configuration: configuration, upload: upload)
    }

    @Test func theServerFoldsWhatTheHookLeavesAndCountsItsBytes() throws {
        let plain = try Self.run(upload: nil)
        var calls: [Int] = [], parameters = 0
        let zeroed = try Self.run { client, update in
            calls.append(client)
            parameters = update.delta.count
            #expect(update.fisher?.count == parameters)
            update.delta = [Float](repeating: 0, count: update.delta.count)
            return 10
        }
        #expect(calls == [0, 1, 2, 0, 1, 2])
        #expect(zeroed.uploadedBytes == 60)
        // Zero deltas leave the initial model: its accuracy, not the trained one's.
        #expect(zeroed.roundAccuracy[0] == zeroed.roundAccuracy[1])
        #expect(plain.roundAccuracy[1][0] > zeroed.roundAccuracy[1][0] + 0.2)
        // Without a hook: the delta and the Fisher in Float32, six times.
        #expect(plain.uploadedBytes == 6 * 2 * 4 * parameters)
    }
}
