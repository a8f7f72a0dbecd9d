import ArgumentParser
import Foundation
import TributaryAggregation
import TributaryExperiments
import TributaryLearning

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
        print(result.matrix.rendered(title: "federated \(scenario.rawValue) digits, \(clients) clients, rule \(rule), replay \(replay), λ \(configuration.ewcLambda)"))
    }
}
