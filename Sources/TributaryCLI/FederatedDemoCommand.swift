import ArgumentParser
import Foundation
import TributaryAggregation
import TributaryExperiments
import TributaryLearning
import TributarySystem

/// The JSON report of a federated run.
struct FederatedReport: Codable {
    var scenario: String
    var clients: Int
    var roundsPerTask: Int
    var matrix: [[Double]]
    var baseline: [Double]
    var acc: Double
    var bwt: Double
    var fwt: Double
    var roundAccuracy: [[Double]]
    var uploadedBytes: Int
}

/// `tributary federate`: federated incremental learning over the digits tasks in one process
/// (no sockets): the algorithmic core that `tributary simulate` runs over mTLS.
struct FederateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "federate",
        abstract: "Federated incremental learning over the digits tasks in one process; prints the accuracy matrix.")

    @Option(help: "The digits CSV.") var data: String = "data/digits.csv"
    @Option(help: "Scenario: split or permuted.") var scenario: String = "split"
    @Option(help: "Clients.") var clients: Int = 10
    @Option(help: "Dirichlet α of the label skew (0: IID).") var alpha: Double = 0.5
    @Option(help: "Rounds per task.") var rounds: Int = 10
    @Option(help: "Local batch size.") var batchSize: Int = 8
    @Option(help: "Local replay buffer per client.") var replay: Int = 20
    @Option(help: "Replay examples per local minibatch (default: the batch size).") var replayBatch: Int?
    @Option(help: "EWC λ of the global EWC penalty (0: off; default: the scenario's protocol setting).") var ewcLambda: Float?
    @Option(help: "Global EWC decay γ.") var ewcGamma: Float = 1
    @Option(help: "Aggregation: ewc or fedavg.") var rule: String = "ewc"
    @Option(help: "Local learning rate.") var lr: Float = 0.05
    @Option var seed: UInt64 = 7
    @Option(help: "Write report.json and accuracy.svg (accuracy per task over rounds) into this folder.") var report: String?

    func run() throws {
        BLAS.setThreadCount(1)
        guard let scenario = DigitsBenchmark.Scenario(rawValue: scenario) else {
            throw ValidationError("--scenario must be split or permuted, got '\(self.scenario)'")
        }
        var configuration = FederatedConfiguration.protocolSettings(for: scenario)
        configuration.clients = clients
        configuration.dirichletAlpha = alpha > 0 ? alpha : nil
        configuration.roundsPerTask = rounds
        configuration.batchSize = batchSize
        configuration.replayPerClient = replay
        if let replayBatch { configuration.replayBatchSize = replayBatch }
        if let ewcLambda { configuration.ewcLambda = ewcLambda }
        configuration.ewcGamma = ewcGamma
        configuration.learningRate = lr
        configuration.seed = seed
        switch rule {
        case "ewc":
            configuration.rule = .fisherWeighted()
            guard configuration.ewcLambda > 0 else { throw ValidationError("--rule ewc needs clients' Fishers, so --ewc-lambda must be > 0 (got 0); use --rule fedavg") }
        case "fedavg": configuration.rule = .fedAvg
        default: throw ValidationError("--rule must be ewc or fedavg, got '\(rule)'")
        }
        let tasks = DigitsBenchmark.tasks(scenario, data: try DigitsBenchmark.load(path: data), seed: seed)
        let result = try FederatedRunner.run(tasks: tasks, configuration: configuration) { task, round, accuracy in
            Terminal.status("task \(task + 1)/\(tasks.count) round \(round + 1)/\(rounds): " + accuracy.map { String(format: "%.0f", $0 * 100) }.joined(separator: " "))
        }
        Terminal.clearStatus()
        let title = "federated \(scenario.rawValue) digits, \(clients) clients, rule \(rule), replay \(replay), λ \(configuration.ewcLambda)"
        print(result.matrix.rendered(title: title))
        if let report {
            try AtomicFile.ensureDirectory(report)
            let summary = FederatedReport(
                scenario: scenario.rawValue, clients: clients, roundsPerTask: rounds, matrix: result.matrix.values,
                baseline: result.matrix.baseline, acc: result.matrix.averageAccuracy, bwt: result.matrix.backwardTransfer,
                fwt: result.matrix.forwardTransfer, roundAccuracy: result.roundAccuracy, uploadedBytes: result.uploadedBytes)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try AtomicFile.write(Array(try encoder.encode(summary)), to: report + "/report.json")
            let chart = AccuracyChart.svg(roundAccuracy: result.roundAccuracy, taskNames: tasks.map(\.name), roundsPerTask: rounds, title: title)
            try AtomicFile.write(Array(chart.utf8), to: report + "/accuracy.svg")
            print("wrote \(report)/report.json and \(report)/accuracy.svg")
        }
    }
}
