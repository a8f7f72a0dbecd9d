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
    /// "accuracy", or "rmse" for a regression run (then matrix, baseline and roundAccuracy hold RMSE).
    var metric: String
    /// A regression run's mean absolute error per task after the last round.
    var meanAbsoluteError: [Double]?
}

/// `tributary federate`: federated incremental learning over the digits tasks or a user's own
/// CSV (classification or regression) in one process (no sockets): the algorithmic core that
/// `tributary simulate` runs over mTLS.
struct FederateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "federate",
        abstract: "Federated incremental learning over the digits tasks or your own CSV in one process; prints the accuracy (or RMSE) matrix.")

    @OptionGroup(title: "Data") var source: TaskDataOptions
    @Option(help: "With --data: class groups such as \"0,1;2,3\", one task per group (or a number: the first N tasks).") var tasks: String?
    @Option(help: "Clients.") var clients: Int = 10
    @Option(help: "Dirichlet α of the label skew (0: IID; regression is always IID).") var alpha: Double = 0.5
    @Option(help: "Rounds per task.") var rounds: Int = 10
    @Option(help: "Local batch size.") var batchSize: Int = 8
    @Option(help: "Local replay buffer per client (default 30, class-balanced; 0 for regression, whose targets the buffer does not keep yet).") var replay: Int?
    @Option(help: "Replay examples per local minibatch (default 16).") var replayBatch: Int?
    @Option(help: "EWC λ of the global EWC penalty (0: off; default 0.02, on the normalised Fisher).") var ewcLambda: Float?
    @Option(help: "Global EWC decay γ.") var ewcGamma: Float = 1
    @Option(help: "Aggregation: ewc or fedavg.") var rule: String = "ewc"
    @Option(help: "Local learning rate (default 0.07).") var lr: Float?
    @Option(help: "Local epochs per round (default 5).") var localEpochs: Int?
    @Option var seed: UInt64 = 7
    @Option(help: "Write report.json and accuracy.svg (accuracy per task over rounds) into this folder.") var report: String?

    func run() throws {
        BLAS.setThreadCount(1)
        let scenario = try source.digitsScenario()
        let (limit, groups) = TaskDataOptions.splitTasks(tasks)
        if let groups, scenario != nil {
            throw ValidationError("--tasks \(groups) groups the classes of your own CSV (--data); the digits scenarios take a number of tasks, 1...5")
        }
        if let limit, limit < 1 { throw ValidationError("--tasks is \(limit); must be ≥ 1") }
        let userData = scenario == nil ? try source.source(groups: groups) : nil
        let replay = self.replay ?? (userData?.regression == true ? 0 : FederatedConfiguration().replayPerClient)
        if userData?.regression == true, replay > 0 {
            throw ValidationError("--replay is \(replay); the replay buffer does not keep regression targets yet, so --task regression needs --replay 0")
        }
        var configuration = FederatedConfiguration()
        configuration.clients = clients
        configuration.dirichletAlpha = alpha > 0 ? alpha : nil
        configuration.roundsPerTask = rounds
        configuration.batchSize = batchSize
        configuration.replayPerClient = replay
        if let replayBatch { configuration.replayBatchSize = replayBatch }
        if let ewcLambda { configuration.ewcLambda = ewcLambda }
        configuration.consolidation.gamma = ewcGamma
        if let lr {
            guard lr > 0, lr.isFinite else { throw ValidationError("--lr is \(lr); must be a positive number") }
            configuration.learningRate = lr
        }
        if let localEpochs {
            guard localEpochs >= 1 else { throw ValidationError("--local-epochs is \(localEpochs); must be ≥ 1") }
            configuration.localEpochs = localEpochs
        }
        configuration.seed = seed
        switch rule {
        case "ewc":
            configuration.rule = .fisherWeighted()
            guard configuration.ewcLambda > 0 else { throw ValidationError("--rule ewc needs clients' Fishers, so --ewc-lambda must be > 0 (got 0); use --rule fedavg") }
        case "fedavg": configuration.rule = .fedAvg
        default: throw ValidationError("--rule must be ewc or fedavg, got '\(rule)'")
        }
        var tasks = try userData?.tasks(seed: seed)
            ?? DigitsBenchmark.tasks(scenario!, data: try DigitsBenchmark.load(path: source.digitsPath), seed: seed)
        if let limit { tasks = Array(tasks.prefix(limit)) }
        let result = try FederatedRunner.run(tasks: tasks, configuration: configuration) { task, round, accuracy in
            let scores = accuracy.map { tasks.isRegression ? String(format: "%.3f", $0) : String(format: "%.0f", $0 * 100) }
            Terminal.status("task \(task + 1)/\(tasks.count) round \(round + 1)/\(rounds): " + scores.joined(separator: " "))
        }
        Terminal.clearStatus()
        let title = "federated \(source.describe(userData, scenario: scenario ?? .split)), \(clients) clients, rule \(rule), replay \(replay), λ \(configuration.ewcLambda)"
        print(tasks.render(result.matrix, title: title))
        if let mae = result.meanAbsoluteError {
            print("MAE per task after the last round: " + zip(tasks, mae).map { "\($0.name) \(String(format: "%.3f", $1))" }.joined(separator: ", "))
        }
        if let report {
            try AtomicFile.ensureDirectory(report)
            let summary = FederatedReport(
                scenario: userData.map { "csv:" + $0.path } ?? scenario!.rawValue, clients: clients, roundsPerTask: rounds, matrix: result.matrix.values,
                baseline: result.matrix.baseline, acc: result.matrix.averageAccuracy, bwt: result.matrix.backwardTransfer,
                fwt: result.matrix.forwardTransfer, roundAccuracy: result.roundAccuracy, uploadedBytes: result.uploadedBytes,
                metric: tasks.isRegression ? "rmse" : "accuracy", meanAbsoluteError: result.meanAbsoluteError)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try AtomicFile.write(Array(try encoder.encode(summary)), to: report + "/report.json")
            let chart = AccuracyChart.svg(roundAccuracy: result.roundAccuracy, taskNames: tasks.map(\.name), roundsPerTask: rounds, title: title,
                                          errorScale: tasks.isRegression ? (result.roundAccuracy.flatMap { $0 } + result.matrix.baseline).max() : nil)
            try AtomicFile.write(Array(chart.utf8), to: report + "/accuracy.svg")
            print("wrote \(report)/report.json and \(report)/accuracy.svg")
        }
    }
}
