import ArgumentParser
import Foundation
import Logging
import TributaryAggregation
import TributaryExperiments
import TributaryLearning
import TributaryCoordinator
import TributarySimulation
import TributarySystem

/// `tributary simulate`: a coordinator and N edge agents over real loopback mutual TLS in this
/// process, federated incremental learning over the digits tasks or a user's own CSV
/// (classification or regression), faults injected, a report.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Simulate a fleet: a coordinator and N edge agents over loopback mutual TLS; writes report.json and accuracy.svg.")

    @OptionGroup var options: SimulationOptions

    func run() async throws {
        _ = try await options.simulate(title: "simulate")
    }
}

/// The options of a simulated fleet, shared by `simulate` and `demo`.
struct SimulationOptions: ParsableArguments {
    @Option(help: "Edge agents.") var clients: Int = 10
    @OptionGroup(title: "Data") var source: TaskDataOptions
    @Option(help: "Tasks to run: a number (the first N; the digits scenarios have 1...5), or with --data class groups such as \"0,1;2,3\" (one task per group).")
    var tasks: String?
    @Option(help: "Rounds per task.") var roundsPerTask: Int = 10
    @Option(help: "Partition of each task across clients: iid, dirichlet:ALPHA, or file:PATH (JSON {\"clients\": [[row, …], …]} or {\"tasks\": [{\"clients\": …}, …]}); default dirichlet:0.5, iid for regression.")
    var partition: String?
    @Option(help: "Fraction of the clients holding data for a task that a round wants updates from (the coordinator over-selects 130%; the quorum is half).") var participation: Double = 1
    @Option(help: "Fraction of offered clients that drop out mid-round (fault injection).") var drop: Double = 0
    @Option(help: "Fraction of clients that answer late.") var slow: Double = 0
    @Option(help: "How late a slow client answers, in seconds.") var slowDelay: Double = 1
    @Option(help: "Fraction of clients restarted (agent stopped and started on its checkpoint) before each round.") var restart: Double = 0
    @Option(help: "Fraction of clients that lie in every Update (the same clients all run, chosen by --seed).") var dishonest: Double = 0
    @Option(help: "How dishonest clients lie: inflate (examples and Fisher × 10⁶), fisher (Fisher × 10⁶) or scale (delta × 100).")
    var dishonestKind: String = "inflate"
    @Option(help: "The coordinator's update bounds: on (the default: stated example counts, adaptive delta and Fisher clipping), off (none, and no fixed delta or example bound either), or KEY=VALUE,… of aggregation.bounds (delta_norm_multiple, fisher_multiple, fisher_floor, fisher_norm_multiple, history, minimum_history; a multiple may be off).")
    var bounds: String = "on"
    @Option(help: "Seconds a round collects before closing with what it has.") var collectTimeout: Double = 60
    @Flag(help: "Aggregate every round securely (SecAgg+): the coordinator learns only the sums; planned to survive --secagg-dropout of the selected clients dropping.")
    var secureAggregation = false
    @Option(help: "With --secure-aggregation: the share of selected clients a round is planned to lose (fixes neighbours and threshold), in [0, 0.49].")
    var secaggDropout: Double = 0.3
    @Option(help: "With --secure-aggregation: the ring of the masked vectors, 64 or 32 bits (default 64; 32 when --compress is not fp32: inside a secure round the upload is the masked vector, and the 32-bit ring is its compressed form).")
    var secaggRingBits: Int?
    @Option(help: "How edges encode their deltas: fp32, int8 (per-block scales, stochastic rounding) or topk[:FRACTION] (default fraction 0.1, with error feedback).")
    var compress: String = "fp32"
    @Option(help: "How edges encode their Fishers: fp32, fp16, int8 or sqrt_int8 (int8 of square roots, read back squared).")
    var compressFisher: String = "fp32"
    @Option(help: "Aggregation: ewc (EWC-weighted, global EWC penalty, local replay: the issue-5 protocol) or fedavg (plain FedAvg, no replay, no EWC).")
    var rule: String = "ewc"
    @Flag(help: "Judge candidates with the default evaluation gate (a task may drop ≤ 5 points); otherwise every candidate is promoted.")
    var gate = false
    @Option(help: "Write report.json, accuracy.svg and partition.json into this folder.") var report: String = "out/simulate"
    @Option(help: "Working folder for certificates, registry and edge state (default: a new temporary folder, removed afterwards).")
    var workDir: String?
    @Option(help: "Hidden layer widths of the MLP, comma-separated (64: 4,810 parameters; 320,240: 100,250).") var hidden: String = "64"
    @Option var seed: UInt64 = 7
    @OptionGroup(title: "Differential privacy") var privacy: PrivacyOptions

    func configuration() throws -> (SimulationConfiguration, temporary: Bool) {
        let scenario = try source.digitsScenario()
        let (limit, groups) = TaskDataOptions.splitTasks(tasks)
        if let groups, scenario != nil {
            throw ValidationError("--tasks \(groups) groups the classes of your own CSV (--data); the digits scenarios take a number of tasks, 1...5")
        }
        let temporary = workDir == nil
        let work = workDir ?? NSTemporaryDirectory() + "tributary-simulate-\(ProcessInfo.processInfo.processIdentifier)"
        if FileManager.default.fileExists(atPath: work), !((try? FileManager.default.contentsOfDirectory(atPath: work))?.isEmpty ?? true) {
            throw ValidationError("--work-dir \(work) exists and is not empty; give a new or empty folder")
        }
        var configuration = SimulationConfiguration(workDirectory: work)
        configuration.scenario = scenario ?? .split
        configuration.dataPath = source.digitsPath
        configuration.userData = scenario == nil ? try source.source(groups: groups) : nil
        configuration.taskLimit = limit ?? (scenario == nil ? nil : 5)
        configuration.clients = clients
        configuration.roundsPerTask = roundsPerTask
        configuration.partition = try Self.partition(partition ?? (configuration.userData?.regression == true ? "iid" : "dirichlet:0.5"))
        configuration.participation = participation
        configuration.faults = FaultConfiguration(dropFraction: drop, slowFraction: slow, slowDelay: .milliseconds(Int64(slowDelay * 1000)),
                                                  restartFraction: restart, dishonestFraction: dishonest,
                                                  dishonestKind: try Self.dishonestKind(dishonestKind))
        configuration.bounds = try Self.bounds(bounds)
        if !secureAggregation, secaggRingBits != nil || secaggDropout != 0.3 {
            throw ValidationError("--secagg-ring-bits and --secagg-dropout need --secure-aggregation")
        }
        if secureAggregation {
            guard (0...0.49).contains(secaggDropout) else { throw ValidationError("--secagg-dropout is \(secaggDropout); must be in [0, 0.49]") }
            let ringBits = secaggRingBits ?? (compress == "fp32" ? 64 : 32)
            guard ringBits == 32 || ringBits == 64 else { throw ValidationError("--secagg-ring-bits is \(ringBits); must be 32 or 64") }
            var settings = SecureAggregationSettings()
            settings.dropoutRate = secaggDropout
            settings.ringBits = ringBits
            configuration.secureAggregation = settings
        }
        configuration.compression = try Self.compression(delta: compress, fisher: compressFisher)
        guard slowDelay >= 0, slowDelay.isFinite else { throw ValidationError("--slow-delay is \(slowDelay); must be ≥ 0 seconds") }
        guard collectTimeout > 0, collectTimeout.isFinite else { throw ValidationError("--collect-timeout is \(collectTimeout); must be > 0 seconds") }
        configuration.collectTimeout = .milliseconds(Int64(collectTimeout * 1000))
        switch rule {
        case "ewc": configuration.federated = FederatedConfiguration()
        case "fedavg": configuration.federated = .plainFedAvg
        default: throw ValidationError("--rule must be ewc or fedavg, got '\(rule)'")
        }
        configuration.federated.seed = seed
        if configuration.userData?.regression == true {
            // The replay buffer keeps labels, not regression targets: a regression fleet trains without it.
            configuration.federated.replayPerClient = 0
            configuration.federated.replayBatchSize = nil
        }
        let widths = hidden.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !widths.isEmpty, widths.allSatisfy({ ($0 ?? 0) >= 1 }) else {
            throw ValidationError("--hidden is '\(hidden)'; give positive layer widths such as 64 or 320,240")
        }
        configuration.federated.hidden = widths.map { $0! }
        configuration.gate = gate ? PromotionGate() : nil
        configuration.seed = seed
        configuration.privacy = try privacy.settings(rule: rule, seed: seed)
        if configuration.privacy.isOn, rule == "ewc" {
            // The Fisher-weighted rule divides one noised sum by another, and a noised mean Fisher
            // puts a random EWC penalty on every parameter (both unusable in every measured
            // setting): under DP the delta is averaged (FedAvg, uniform weights), one sum is
            // released, and local replay is what keeps the past.
            configuration.federated.rule = .fedAvg
            configuration.federated.ewcLambda = 0
        }
        do {
            try configuration.validate()
        } catch let error as LearningError {
            throw ValidationError(error.reason)
        }
        return (configuration, temporary)
    }

    /// `--bounds`: on, off, or the default bounds with some of aggregation.bounds' settings changed.
    static func bounds(_ text: String) throws -> UpdateBounds {
        if text == "on" { return .default }
        if text == "off" { return .off }
        var bounds = UpdateBounds.default
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let value = parts.count == 2 ? parts[1] : ""
            let number = Float(value)
            let multiple: Float?? = value == "off" ? .some(nil) : number.map { .some($0) }
            switch (parts[0], multiple, number) {
            case ("delta_norm_multiple", .some(let m), _): bounds.deltaNormMultiple = m
            case ("fisher_multiple", .some(let m), _): bounds.fisherMultiple = m
            case ("fisher_norm_multiple", .some(let m), _): bounds.fisherNormMultiple = m
            case ("fisher_floor", _, .some(let f)): bounds.fisherFloor = f
            case ("history", _, .some(let h)) where h == h.rounded() && h >= 1 && h <= 100_000: bounds.history = Int(h)
            case ("minimum_history", _, .some(let h)) where h == h.rounded() && h >= 1 && h <= 100_000: bounds.minimumHistory = Int(h)
            default:
                throw ValidationError("--bounds: '\(pair)' is not on, off or KEY=VALUE with KEY one of delta_norm_multiple, fisher_multiple, fisher_floor, fisher_norm_multiple, history, minimum_history and a number (a multiple may be off)")
            }
        }
        do {
            try bounds.validate()
        } catch let error as AggregationError {
            throw ValidationError("--bounds \(text): \(error.reason)")
        }
        return bounds
    }

    static func dishonestKind(_ text: String) throws -> FaultConfiguration.DishonestKind {
        guard let kind = FaultConfiguration.DishonestKind(rawValue: text) else {
            throw ValidationError("--dishonest-kind is '\(text)'; use \(FaultConfiguration.DishonestKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return kind
    }

    static func partition(_ text: String) throws -> SimulationConfiguration.PartitionScheme {
        if text == "iid" { return .iid }
        if text.hasPrefix("dirichlet:"), let alpha = Double(text.dropFirst("dirichlet:".count)), alpha > 0, alpha.isFinite {
            return .dirichlet(alpha: alpha)
        }
        if text.hasPrefix("file:"), text.count > 5 { return .file(String(text.dropFirst(5))) }
        throw ValidationError("--partition is '\(text)'; use iid, dirichlet:ALPHA (ALPHA > 0, e.g. dirichlet:0.5) or file:PATH")
    }

    /// Runs the simulation, prints progress and the tables, writes the report.
    @discardableResult
    func simulate(title: String) async throws -> SimulationReport {
        BLAS.setThreadCount(1)
        let (configuration, temporary) = try configuration()
        var logger = Logger(label: "tributary.simulate")
        logger.logLevel = .warning
        defer { if temporary { try? FileManager.default.removeItem(atPath: configuration.workDirectory) } }
        let result = try await Simulation(configuration: configuration, logger: logger).run { line in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        let regression = configuration.userData?.regression == true
        print("\n" + result.roundTable(metric: regression ? "RMSE per task" : "accuracy per task (%)"))
        let description = "\(source.describe(configuration.userData, scenario: configuration.scenario)), \(configuration.clients) edge agents over mTLS, \(configuration.partition), rule \(rule)"
            + (configuration.privacy.isOn && rule == "ewc" ? " (under DP: FedAvg with replay, no EWC penalty)" : "")
            + (configuration.secureAggregation.map { ", secure aggregation in a \($0.ringBits)-bit ring" } ?? "")
        print(regression ? result.matrix.renderedError(title: "\n\(title): \(description)") : result.matrix.rendered(title: "\n\(title): \(description)"))
        if let mae = result.rounds.last(where: { $0.meanAbsoluteError != nil })?.meanAbsoluteError {
            print("MAE per task of the last promoted version: " + zip(result.taskNames, mae).map { "\($0) \(String(format: "%.3f", $1))" }.joined(separator: ", "))
        }
        if let privacy = result.privacy {
            let spent = result.rounds.last(where: { $0.epsilon != nil })?.epsilon ?? 0
            print("differential privacy (\(privacy)): ε spent " + String(format: "%.3g", spent))
        }
        if let reason = result.stoppedReason { print("stopped before the last round: \(reason)") }
        let uploaded = result.rounds.reduce(0) { $0 + $1.bytesFromClients }
        print(String(format: "\n%d rounds in %.1f s (median round %.2f s); %.2f MB of deltas and Fishers sent by the edges",
                     result.rounds.count, result.totalWallSeconds, Self.median(result.rounds.map(\.wallSeconds)), Double(uploaded) / 1e6))
        if let ratio = result.uploadRatio, let fp32 = result.fp32UploadBytes {
            print(String(format: "uploads %@: %.0f bytes per client on average, %.3f× the %d bytes of an fp32 delta and Fisher",
                         ((result.compression.map { $0.hasPrefix("masked") ? $0 : "encoded " + $0 }) ?? "encoded fp32+fp32") as NSString,
                         ratio * Double(fp32), ratio, fp32))
        }
        do {
            try FileManager.default.createDirectory(atPath: report, withIntermediateDirectories: true)
        } catch {
            throw ValidationError("--report \(report): cannot create the folder (\((error as NSError).localizedDescription))")
        }
        try AtomicFile.write(try result.json(), to: report + "/report.json")
        try AtomicFile.write(Array(result.chart(title: description, errorScale: regression ? result.largestValue : nil).utf8), to: report + "/accuracy.svg")
        try AtomicFile.write(try AtomicFile.read(configuration.workDirectory + "/partition.json"), to: report + "/partition.json")
        print("wrote \(report)/report.json, \(report)/accuracy.svg and \(report)/partition.json")
        return result
    }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
