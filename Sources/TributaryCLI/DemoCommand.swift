import ArgumentParser
import Foundation
import TributaryExperiments
import TributaryLearning

/// `tributary demo`: a fleet on loopback — certificates, a coordinator and ten edge agents over
/// mutual TLS — learning the split digits tasks federated and incrementally, against plain
/// FedAvg; `--in-process` runs the single-model comparison (naive vs EWC + replay) instead.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "A fleet on loopback: certificates, a coordinator and edge agents over mutual TLS, federated incremental learning over the digits tasks; writes out/demo/report.json and accuracy.svg.")

    @Flag(help: "Instead of the fleet: incremental learning in one process (naive, EWC + replay) and the in-process federated runner.")
    var inProcess = false

    @Option(help: "Edge agents in the fleet demo.") var clients: Int = 10
    @Option(help: "Rounds per task in the fleet demo.") var roundsPerTask: Int = 10
    @Option(help: "Where the fleet demo writes its reports.") var report: String = "out/demo"

    @Option(help: "The digits CSV (shipped as data/digits.csv).")
    var data: String = "data/digits.csv"

    @Option(help: "Scenario: split, permuted or all.")
    var scenario: String = "all"

    @Option(help: "Strategies, comma-separated: naive, ewc, replay, ewc+replay.")
    var strategies: String = "naive,ewc+replay"

    @Option(help: "Epochs per task.") var epochs: Int = 10
    @Option(help: "EWC strength λ.") var ewcLambda: Float = ContinualConfiguration().ewcLambda
    @Option(help: "Replay buffer capacity.") var replay: Int = 200
    @Option(help: "Learning rate (SGD).") var lr: Float = ContinualConfiguration().learningRate
    @Option(help: "Seed for the split, the permutations and the model.") var seed: UInt64 = 7
    @Flag(inversion: .prefixedNo, help: "Also run the federated version (10 clients in one process, plain FedAvg and EWC-weighted).")
    var federated = true

    func validate() throws {
        guard scenario == "all" || DigitsBenchmark.Scenario(rawValue: scenario) != nil else {
            throw ValidationError("--scenario must be split, permuted or all, got '\(scenario)'")
        }
        for name in strategies.split(separator: ",") where Strategy(rawValue: String(name)) == nil {
            throw ValidationError("--strategies: unknown strategy '\(name)' (use naive, ewc, replay, ewc+replay)")
        }
        guard epochs >= 1 else { throw ValidationError("--epochs must be ≥ 1, got \(epochs)") }
        guard replay >= 0 else { throw ValidationError("--replay must be ≥ 0, got \(replay)") }
    }

    func run() async throws {
        if inProcess { return try runInProcess() }
        let scenario = self.scenario == "all" ? "split" : self.scenario
        print("Tributary demo: a fleet on loopback — a fleet CA and certificates, a coordinator and \(clients) edge agents over")
        print("mutual TLS 1.3, federated incremental learning over the \(scenario) digits tasks (Dirichlet 0.5 label skew).\n")
        var results: [(String, Double, Double)] = []
        for (rule, name, folder) in [("ewc", "EWC-weighted aggregation + global EWC penalty + local replay", report), ("fedavg", "plain FedAvg", report + "/fedavg")] {
            print("== \(name)")
            let options = try SimulationOptions.parse([
                "--clients", "\(clients)", "--scenario", scenario, "--rounds-per-task", "\(roundsPerTask)", "--rule", rule,
                "--data", data, "--seed", "\(seed)", "--report", folder,
            ])
            let summary = try await options.simulate(title: name)
            results.append((name, summary.acc, summary.bwt))
            print("")
        }
        for (name, acc, bwt) in results {
            print(String(format: "%@: ACC %.1f%%, BWT %.1f points", name, acc * 100, bwt * 100))
        }
        print("\nOpen \(report)/accuracy.svg for accuracy per task over rounds; `tributary demo --in-process` compares naive fine-tuning")
        print("with EWC + replay on one model; `tributary simulate --help` runs fleets of your own (faults, partitions, 1,000 clients).")
    }

    func runInProcess() throws {
        BLAS.setThreadCount(1)
        let digits = try DigitsBenchmark.load(path: data)
        let scenarios = scenario == "all" ? DigitsBenchmark.Scenario.allCases : [DigitsBenchmark.Scenario(rawValue: scenario)!]
        var configuration = ContinualConfiguration()
        configuration.epochs = epochs
        configuration.ewcLambda = ewcLambda
        configuration.replayCapacity = replay
        configuration.learningRate = lr
        configuration.seed = seed
        for scenario in scenarios {
            let tasks = DigitsBenchmark.tasks(scenario, data: digits, seed: seed)
            for name in strategies.split(separator: ",") {
                let strategy = Strategy(rawValue: String(name))!
                let matrix = try ContinualRunner.run(tasks: tasks, strategy: strategy, configuration: configuration) { index, report in
                    Terminal.status("\(scenario.rawValue) \(strategy.rawValue): task \(index + 1)/\(tasks.count) trained, loss \(String(format: "%.3f", report.epochLosses.last ?? 0))")
                }
                Terminal.clearStatus()
                print(matrix.rendered(title: "\n\(scenario.rawValue) digits, \(strategy.rawValue) (MLP 64-64-10, SGD lr \(lr), \(epochs) epochs/task)"))
            }
            guard federated else { continue }
            for (name, configuration) in [("plain FedAvg", FederatedConfiguration.plainFedAvg), ("EWC-weighted + global EWC + replay", FederatedConfiguration())] {
                var configuration = configuration
                configuration.seed = seed
                let result = try FederatedRunner.run(tasks: tasks, configuration: configuration) { task, round, _ in
                    Terminal.status("federated \(scenario.rawValue) \(name): task \(task + 1)/\(tasks.count) round \(round + 1)/\(configuration.roundsPerTask)")
                }
                Terminal.clearStatus()
                print(result.matrix.rendered(title: "\nfederated \(scenario.rawValue) digits, \(name) (10 clients, Dirichlet 0.5, 10 rounds/task)"))
            }
        }
    }
}
