import Foundation
import TributaryAggregation
import TributaryConfig
import TributaryLearning
import TributaryLogging
import TributaryRounds
import TributaryTransport

extension CoordinatorConfiguration {
    /// Reads `path` (YAML) with `--set KEY=VALUE` overrides. Relative paths in the file are taken
    /// from the file's directory. Every error names the file, line, key and value; an unknown key
    /// is an error with a suggestion. `coordinator/coordinator.yaml` documents every key.
    public static func load(contentsOf path: String, overrides: [String] = []) throws -> CoordinatorConfiguration {
        let reader = try ConfigReader(contentsOf: path, overrides: overrides)
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try load(from: reader, relativeTo: base)
    }

    /// Reads a configuration from `reader` and calls `finish()` on it.
    public static func load(from reader: ConfigReader, relativeTo base: String) throws -> CoordinatorConfiguration {
        let paths = ConfigPaths(base: base)
        let listen = try paths.endpoint(reader, "listen", default: "127.0.0.1:7443")
        let tls = try readTLS(reader.section("tls"), paths)
        let registryDirectory = try paths.path(reader.section("registry"), "directory") ?? base + "/registry"
        let liveCheck = try reader.section("registry").duration("live_check", default: .seconds(2), in: .milliseconds(100)...(.seconds(3600)))
        let initialCheckpoint = try paths.path(reader.section("model"), "initial_checkpoint")
        let roundsSection = reader.section("rounds")
        let rounds = try readRounds(roundsSection)
        let readyOnHello = try roundsSection.bool("ready_on_hello", default: true)
        let maxRounds = try roundsSection.string("max_rounds") == nil ? nil : try roundsSection.int("max_rounds", default: 1, in: 1...Int(Int32.max))
        let plan = try readPlan(reader.section("plan"))
        let aggregation = try readAggregation(reader.section("aggregation"))
        let evaluation = try readEvaluation(reader.section("evaluation"), base: base)
        let release = try ReleasePolicy.read(reader.section("release"))
        let secureAggregation = try SecureAggregationSettings.read(reader.section("secure_aggregation"))
        let adminSection = reader.section("admin")
        let adminEndpoint = try paths.endpoint(adminSection, "listen", default: "127.0.0.1:7480")
        let admin = try adminSection.bool("enabled", default: true) ? adminEndpoint : nil
        let adminTokenFile = try paths.path(adminSection, "token_file")
        let transfers = try readTransfers(reader.section("transfers"))
        let compression = try readCompression(reader.section("compression"))
        let privacy = try readPrivacy(reader.section("privacy"))
        let logFormat = try LogFormat(parsing: try reader.section("logging").choice("format", from: ["text", "json"], default: "text"), setting: "logging.format")

        try reader.finish()
        do {
            var configuration = try CoordinatorConfiguration(
                tls: tls, registryDirectory: registryDirectory, initialCheckpoint: initialCheckpoint, listen: listen, rounds: rounds,
                readyOnHello: readyOnHello, maxRounds: maxRounds, plan: plan, aggregation: aggregation, evaluation: evaluation, admin: admin,
                transfers: transfers, adminTokenFile: adminTokenFile)
            configuration.liveCheck = liveCheck
            configuration.release = release
            configuration.secureAggregation = secureAggregation
            configuration.logFormat = logFormat
            configuration.compression = compression
            configuration.privacy = privacy
            try configuration.validate()
            return configuration
        } catch let error as CoordinatorError {
            throw CoordinatorError(error.code, "\(reader.source): \(error.reason)")
        }
    }

    static func readTLS(_ tlsSection: ConfigReader, _ paths: ConfigPaths) throws -> TLS {
        let tls = TLS(
            certificate: try paths.required(tlsSection, "certificate"), key: try paths.required(tlsSection, "key"), ca: try paths.required(tlsSection, "ca"),
            denyList: try paths.path(tlsSection, "deny_list"),
            heartbeat: try tlsSection.duration("heartbeat", default: .seconds(10), in: .milliseconds(100)...(.seconds(3600))),
            idleTimeout: try tlsSection.duration("idle_timeout", default: .seconds(30), in: .milliseconds(300)...(.seconds(86_400))),
            revocationCheck: try tlsSection.duration("revocation_check", default: .seconds(5), in: .milliseconds(100)...(.seconds(3600))),
            denyListOptional: try tlsSection.bool("deny_list_optional", default: false),
            handshakeTimeout: try tlsSection.duration("handshake_timeout", default: .seconds(10), in: .milliseconds(100)...(.seconds(600))),
            maxConnections: try tlsSection.string("max_connections") == nil ? nil : try tlsSection.int("max_connections", default: 1, in: 1...10_000_000),
            maxConnectionsPerAddress: try tlsSection.int("max_connections_per_address", default: 256, in: 1...10_000_000))
        guard tls.idleTimeout > tls.heartbeat else {
            throw tlsSection.invalid("idle_timeout", "must be longer than tls.heartbeat (\(tls.heartbeat))")
        }
        return tls
    }

    static func readRounds(_ roundsSection: ConfigReader) throws -> RoundConfiguration {
        // Every key is read whatever the trigger, so none of them is "unknown".
        let readyClients = try roundsSection.int("ready_clients", default: 2, in: 1...1_000_000)
        let every = try roundsSection.duration("schedule_every", default: .seconds(600), in: .seconds(1)...(.seconds(30 * 86_400)))
        let trigger: RoundConfiguration.Trigger
        switch try roundsSection.choice("trigger", from: ["ready_clients", "schedule", "manual"], default: "ready_clients") {
        case "schedule": trigger = .schedule(every: every)
        case "manual": trigger = .manual
        default: trigger = .readyClients(readyClients)
        }
        let target = try roundsSection.int("target_updates", default: 2, in: 1...1_000_000)
        let quorum = try roundsSection.string("quorum") == nil ? nil : try roundsSection.int("quorum", default: 1, in: 1...target)
        let rounds: RoundConfiguration
        do {
            rounds = try RoundConfiguration(
                targetUpdates: target,
                overSelection: try roundsSection.double("over_selection", default: 1.3, in: 1...100),
                quorum: quorum,
                collectTimeout: try roundsSection.duration("collect_timeout", default: .seconds(60), in: .seconds(1)...(.seconds(86_400))),
                trigger: trigger,
                minimumExamples: try roundsSection.int("minimum_examples", default: 1, in: 0...Int(Int32.max)),
                skipMetered: try roundsSection.bool("skip_metered", default: false),
                requireCharging: try roundsSection.bool("require_charging", default: false),
                seed: UInt64(try roundsSection.int("seed", default: 1, in: 0...Int.max)),
                retryAfter: try roundsSection.duration("retry_after", default: .seconds(10), in: .seconds(1)...(.seconds(86_400))))
        } catch let error as RoundError {
            throw roundsSection.invalid("target_updates", error.reason)
        }
        return rounds
    }

    static func readPlan(_ planSection: ConfigReader) throws -> PlanOverrides {
        func optionalInt(_ key: String, _ range: ClosedRange<Int>) throws -> Int? {
            try planSection.string(key) == nil ? nil : try planSection.int(key, default: range.lowerBound, in: range)
        }
        func optionalDouble(_ key: String, _ range: ClosedRange<Double>) throws -> Double? {
            try planSection.string(key) == nil ? nil : try planSection.double(key, default: range.lowerBound, in: range)
        }
        let plan = PlanOverrides(
            epochs: try optionalInt("epochs", 1...10_000), batchSize: try optionalInt("batch_size", 1...1_000_000),
            learningRate: try optionalDouble("learning_rate", 1e-9...100), ewcLambda: try optionalDouble("ewc_lambda", 0...1e9),
            fedProxMu: try optionalDouble("fedprox_mu", 0...1e9), replaySize: try optionalInt("replay_size", 0...1_000_000),
            maskUnseenClasses: try planSection.string("mask_unseen_classes") == nil ? nil : try planSection.bool("mask_unseen_classes", default: false))
        return plan
    }

    static func readAggregation(_ aggregationSection: ConfigReader) throws -> Aggregation {
        let rule: AggregationRule = try aggregationSection.choice("rule", from: ["fisher_weighted", "fedavg"], default: "fisher_weighted") == "fedavg"
            ? .fedAvg : .fisherWeighted()
        let serverRate = Float(try aggregationSection.double("server_learning_rate", default: 1, in: 1e-9...100))
        let momentum = Float(try aggregationSection.double("server_momentum", default: 0.9, in: 0...0.999_999))
        let optimizer: ServerOptimizer
        switch try aggregationSection.choice("server_optimizer", from: ["fedavg", "fedavgm", "fedadam", "fedyogi"], default: "fedavg") {
        case "fedavgm": optimizer = .fedAvgM(learningRate: serverRate, momentum: momentum)
        case "fedadam": optimizer = .fedAdam(learningRate: serverRate)
        case "fedyogi": optimizer = .fedYogi(learningRate: serverRate)
        default: optimizer = .fedAvg(learningRate: serverRate)
        }
        // auto (the default): ratio × max(1, ‖θ_base‖); off: no bound; a number: that bound.
        let ratio = Float(try aggregationSection.double("max_delta_ratio", default: 10, in: 1e-3...1e6))
        let bound: DeltaNormBound
        switch try aggregationSection.string("max_delta_norm", default: "auto") {
        case "auto": bound = .relative(ratio: ratio)
        case "off": bound = .off
        case let text:
            guard let value = Double(text), value > 0, value <= 1e12 else {
                throw aggregationSection.invalid("max_delta_norm", "must be auto, off or a number in (0, 1e12] (0 no longer means no bound: write off)")
            }
            bound = .absolute(Float(value))
        }
        let aggregation = Aggregation(
            rule: rule, serverOptimizer: optimizer, deltaNormBound: bound,
            maxUpdateExamples: try aggregationSection.int("max_update_examples", default: 1_000_000, in: 1...1_000_000_000_000),
            consolidation: ConsolidationPolicy(
                trigger: try readConsolidationTrigger(aggregationSection),
                gamma: Float(try aggregationSection.double("ewc_gamma", default: 1, in: 0...1)),
                normalised: try aggregationSection.bool("fisher_normalise", default: true)),
            dataChangeFraction: try aggregationSection.double("data_change_fraction", default: 0.3, in: 0.01...1),
            bounds: try readBounds(aggregationSection.section("bounds")))
        return aggregation
    }

    /// `aggregation.consolidate`: data_change (the default), every_round, or a whole number N
    /// (every N rounds, and on a data change).
    static func readConsolidationTrigger(_ section: ConfigReader) throws -> ConsolidationPolicy.Trigger {
        switch try section.string("consolidate", default: "data_change") {
        case "data_change": return .dataChange
        case "every_round": return .everyRound
        case let text:
            guard let rounds = Int(text), rounds >= 1, rounds <= 1_000_000 else {
                throw section.invalid("consolidate", "must be data_change, every_round or a number of rounds in 1...1000000")
            }
            return .everyRounds(rounds)
        }
    }

    static func readEvaluation(_ evaluationSection: ConfigReader, base: String) throws -> EvaluationSettings {
        var heldOut: [HeldOutSet] = []
        for item in try evaluationSection.strings("held_out") ?? [] {
            // NAME=PATH, or a PATH whose file name (without .csv) is the name.
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            let file = parts.count == 2 ? parts[1] : item
            guard !file.isEmpty, parts.count == 1 || !parts[0].isEmpty else {
                throw evaluationSection.invalid("held_out", "items must be NAME=PATH or PATH, got '\(item)'")
            }
            let name = parts.count == 2 ? parts[0] : URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
            heldOut.append(HeldOutSet(name: name, path: file.hasPrefix("/") ? file : base + "/" + file))
        }
        let gate = PromotionGate(
            maxTaskDrop: try evaluationSection.double("max_task_drop", default: 0.05, in: 0...1),
            maxNewDataDrop: try evaluationSection.double("max_new_data_drop", default: 0, in: 0...1),
            minimumStability: try evaluationSection.double("minimum_stability", default: 0, in: 0...1),
            maxClientAccuracyDrop: try evaluationSection.double("max_client_accuracy_drop", default: 0.05, in: 0...1),
            maxParameterGrowth: try evaluationSection.double("max_parameter_growth", default: 10, in: 1...1e6),
            chanceMargin: try evaluationSection.string("chance_margin", default: "0.05") == "off"
                ? nil : try evaluationSection.double("chance_margin", default: 0.05, in: 0...1),
            minimumAccuracy: try evaluationSection.double("minimum_accuracy", default: 0, in: 0...1),
            maxErrorRise: try evaluationSection.double("max_error_rise", default: 0.05, in: 0...1e6),
            maximumError: try evaluationSection.string("maximum_error", default: "off") == "off"
                ? nil : try evaluationSection.double("maximum_error", default: 0, in: 1e-12...1e12))
        var evaluation = EvaluationSettings(
            heldOut: heldOut, newest: try evaluationSection.string("newest"), gate: gate,
            useClientMetrics: try evaluationSection.bool("client_metrics", default: true))
        evaluation.federated = try FederatedEvaluationSettings.read(evaluationSection.section("federated"), seed: 0)
        return evaluation
    }

    static func readTransfers(_ transfersSection: ConfigReader) throws -> Transfers {
        let transfers = Transfers(
            concurrentSends: try transfersSection.int("concurrent_sends", default: 16, in: 1...100_000),
            sendTimeout: try transfersSection.duration("send_timeout", default: .seconds(120), in: .seconds(1)...(.seconds(86_400))),
            concurrentReceives: try transfersSection.int("concurrent_receives", default: 2, in: 1...100_000),
            readBytes: try transfersSection.int("read_bytes", default: 16 * 1024, in: 1024...(16 << 20)),
            writeBytes: try transfersSection.int("write_bytes", default: 32 * 1024, in: 1024...(16 << 20)))
        return transfers
    }
}

/// Paths and endpoints in a configuration file: relative paths are taken from the file's directory.
struct ConfigPaths {
    let base: String

    func path(_ section: ConfigReader, _ key: String) throws -> String? {
        guard let text = try section.string(key) else { return nil }
        guard !text.isEmpty else { throw section.invalid(key, "must be a path, not empty") }
        return text.hasPrefix("/") ? text : base + "/" + text
    }

    func required(_ section: ConfigReader, _ key: String) throws -> String {
        guard let value = try path(section, key) else { throw section.invalid(key, "is required (a PEM file path)") }
        return value
    }

    func endpoint(_ section: ConfigReader, _ key: String, default value: String) throws -> Endpoint {
        let text = try section.string(key, default: value)
        do {
            return try Endpoint(parsing: text)
        } catch {
            throw section.invalid(key, "must be HOST:PORT such as 127.0.0.1:7443 (\(error))")
        }
    }
}
