import ArgumentParser
import Foundation
import TributaryExperiments
import TributaryLearning
import TributarySystem

/// `tributary suite`: the quality suite — one continual scenario, every method (centralised
/// naive, replay, EWC, EWC + replay, joint; federated FedAvg, replay, EWC + replay) for each
/// seed, and ACC, BWT and newest-task accuracy as mean ± std over the seeds.
struct SuiteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suite",
        abstract: "The quality suite: a continual scenario, every method, several seeds; prints ACC, BWT and newest-task accuracy as mean ± std.",
        discussion: "Scenarios: \(SuiteScenario.names). Methods: \(SuiteMethod.allCases.map(\.rawValue).joined(separator: ", ")).")

    @Option(help: "Scenario: \(SuiteScenario.names).") var scenario: String = SuiteScenario.rotatedDigits.rawValue
    @Option(help: "Seeds: comma-separated (0,1,2,3,4) or a range (0-4).") var seeds: String = "0,1,2,3,4"
    @Option(help: "Methods, comma-separated.") var methods: String = SuiteMethod.allCases.map(\.rawValue).joined(separator: ",")
    @Flag(help: "Print the table as Markdown.") var markdown = false
    @Option(help: "The digits CSV, for the digits scenarios.") var data: String = "data/digits.csv"
    @Option(help: "Centralised methods: epochs per task.") var epochs: Int = ContinualConfiguration().epochs
    @Option(help: "Federated methods: rounds per task.") var rounds: Int = FederatedConfiguration().roundsPerTask
    @Option(help: "Federated methods: clients.") var clients: Int = FederatedConfiguration().clients
    @Option(help: "Federated methods: Dirichlet α of the label skew (0: IID).") var alpha: Double = FederatedConfiguration().dirichletAlpha ?? 0
    @Option(help: "Write the per-seed accuracy matrices as JSON to this file.") var json: String?
    @Option(help: ArgumentHelp(
        "Instead of running: write the scenario's tasks for --seeds (one seed) as a CSV with a 'task' column, for `tributary federate|simulate --data FILE --task-column task`.",
        valueName: "FILE.csv"))
    var exportCSV: String?

    func run() throws {
        BLAS.setThreadCount(1)
        guard let scenario = SuiteScenario(rawValue: scenario) else {
            throw ValidationError("--scenario is '\(self.scenario)'; use one of \(SuiteScenario.names)")
        }
        let seeds: [UInt64], methods: [SuiteMethod]
        do { seeds = try QualitySuite.seeds(self.seeds) } catch let error as LearningError { throw ValidationError("--seeds: \(error.reason)") }
        do { methods = try SuiteMethod.list(self.methods) } catch let error as LearningError { throw ValidationError("--methods: \(error.reason)") }
        guard epochs >= 1 else { throw ValidationError("--epochs is \(epochs); must be ≥ 1") }
        guard rounds >= 1 else { throw ValidationError("--rounds is \(rounds); must be ≥ 1") }
        guard clients >= 1 else { throw ValidationError("--clients is \(clients); must be ≥ 1") }
        guard alpha >= 0, alpha.isFinite else { throw ValidationError("--alpha is \(alpha); must be ≥ 0 (0: IID)") }
        if exportCSV != nil, seeds.count != 1 { throw ValidationError("--export-csv writes one seed's tasks; --seeds is '\(self.seeds)'") }
        if scenario.usesDigits, !FileManager.default.fileExists(atPath: data) {
            throw ValidationError("--data \(data): no such file; the \(scenario.rawValue) scenario reads the digits CSV (shipped as data/digits.csv)")
        }
        if let exportCSV {
            let tasks = try scenario.tasks(seed: seeds[0], digitsPath: data)
            try AtomicFile.write(Array(SuiteExport.csv(tasks).utf8), to: exportCSV)
            print("wrote \(exportCSV): \(tasks.count) tasks of \(scenario.rawValue) (seed \(seeds[0])), train and test rows, columns x0…x\(tasks[0].train.featureCount - 1), task, label")
            return
        }
        var suite = QualitySuite(scenario: scenario, seeds: seeds, methods: methods)
        suite.digitsPath = data
        suite.continual.epochs = epochs
        suite.federated.roundsPerTask = rounds
        suite.federated.clients = clients
        suite.federated.dirichletAlpha = alpha > 0 ? alpha : nil
        let report = try suite.run { seed, method in Terminal.status("\(scenario.rawValue): seed \(seed), \(method.rawValue)") }
        Terminal.clearStatus()
        print(report.table(markdown: markdown))
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try AtomicFile.write(Array(try encoder.encode(report)), to: json)
            print("wrote \(json)")
        }
    }
}
