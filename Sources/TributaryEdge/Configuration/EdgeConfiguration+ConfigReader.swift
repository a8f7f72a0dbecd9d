import TributaryConfig
import TributaryFeedback
import TributaryLearning
import TributaryLogging
import TributaryTransport

extension EdgeConfiguration {
    /// Reads the keys documented in `edge/edge.yaml`; every error names the file, line, key and
    /// value. Call `reader.finish()` afterwards to refuse unknown keys.
    public init(reader: ConfigReader) throws {
        let coordinator = reader.section("coordinator")
        let address = try coordinator.requiredString("address")
        let endpoint: Endpoint
        do {
            endpoint = try Endpoint(parsing: address)
        } catch let error as TransportError {
            throw ConfigError(source: reader.source, key: "coordinator.address", value: address, problem: error.reason)
        }
        let tls = reader.section("tls")
        let state = reader.section("state")
        let feedback = reader.section("feedback")
        let ingestion = reader.section("ingestion")
        let context = reader.section("context")
        let triggers = reader.section("triggers")
        let reconnect = reader.section("reconnect")
        let review = reader.section("review")
        let session = reader.section("session")
        let listenText = try ingestion.string("listen", default: "127.0.0.1:8477")
        let listen: Endpoint
        do {
            listen = try Endpoint(parsing: listenText)
        } catch let error as TransportError {
            throw ConfigError(source: reader.source, key: "ingestion.listen", value: listenText, problem: error.reason)
        }
        let window = try context.int("window_examples", default: 5_000, in: 1...10_000_000)
        self.init(
            coordinator: endpoint,
            tls: TLSPaths(ca: try tls.requiredString("ca"), certificate: try tls.requiredString("cert"), key: try tls.requiredString("key")),
            stateDirectory: try state.string("directory", default: "/var/lib/tributary-edge"),
            feedback: Feedback(
                featureCount: try feedback.requiredInt("features", in: 1...1_000_000),
                classCount: try feedback.requiredInt("classes", in: 1...1_000_000),
                storePath: try feedback.string("store"),
                maxExamples: try positive(feedback.int("max_examples", default: 100_000, in: 0...100_000_000)),
                maxAge: try optionalDuration(feedback, "max_age"),
                imports: try feedback.strings("import") ?? [],
                importMaxBytes: try feedback.int("import_max_bytes", default: 64 << 20, in: 1...(1 << 40)),
                maxPredictions: try feedback.int("max_predictions", default: 10_000, in: 1...100_000_000),
                confirmWeight: try feedback.double("confirm_weight", default: 0.5, in: 0...100),
                heldOutFraction: try feedback.double("held_out_fraction", default: 0, in: 0...HeldOutSplit.maximumFraction),
                review: ReviewPolicy(
                    confidence: ReviewPolicy.Confidence(rawValue: try review.choice(
                        "confidence", from: ReviewPolicy.Confidence.allCases.map(\.rawValue), default: "max_probability"))!,
                    threshold: try review.double("threshold", default: 0, in: 0...1),
                    sampleRate: try review.double("sample_rate", default: 0, in: 0...1),
                    seed: UInt64(try reader.int("seed", default: 1, in: 0...Int.max)),
                    maxQueue: try review.int("max_queue", default: 1_000, in: 1...10_000_000))),
            serverName: try coordinator.string("server_name"),
            ingestion: Ingestion(enabled: try ingestion.bool("enabled", default: false), listen: listen),
            context: TemporalContext(windowExamples: window, onlyNew: try context.bool("only_new", default: false),
                                     replay: try Self.replay(context)),
            triggers: Triggers(trigger: try Self.trigger(triggers),
                               checkInterval: try triggers.duration("check_interval", default: .seconds(5), in: .milliseconds(10) ... .seconds(86_400)),
                               readyOnlyOnTrigger: try triggers.bool("ready_only_on_trigger", default: true)),
            reconnect: ReconnectBackoff.Configuration(
                initial: try reconnect.duration("initial", default: .seconds(1), in: .milliseconds(10) ... .seconds(3600)),
                maximum: try reconnect.duration("maximum", default: .seconds(300), in: .milliseconds(10) ... .seconds(86_400)),
                multiplier: try reconnect.double("multiplier", default: 2, in: 1...10),
                jitter: try reconnect.double("jitter", default: 0.2, in: 0...1)),
            heartbeatInterval: try session.duration("heartbeat", default: .seconds(10), in: .milliseconds(10) ... .seconds(3600)),
            idleTimeout: try session.duration("idle_timeout", default: .seconds(30), in: .milliseconds(20) ... .seconds(10_800)),
            seed: UInt64(try reader.int("seed", default: 1, in: 0...Int.max)))
        logFormat = try LogFormat(parsing: try reader.section("logging").choice("format", from: ["text", "json"], default: "text"), setting: "logging.format")
    }

    private static func replay(_ context: ConfigReader) throws -> ReplayConfiguration {
        let capacity = try context.int("replay_capacity", default: 200, in: 0...10_000_000)
        let halfLife = try context.int("replay_half_life", default: 1_000, in: 1...100_000_000)
        let policy: ReplayPolicy
        switch try context.choice("replay_policy", from: ["reservoir", "class_balanced", "sliding_window", "decay"], default: "reservoir") {
        case "class_balanced": policy = .classBalanced
        case "sliding_window": policy = .slidingWindow
        case "decay": policy = .exponentialDecay(halfLife: halfLife)
        default: policy = .reservoir
        }
        return ReplayConfiguration(capacity: capacity, policy: policy)
    }

    private static func trigger(_ triggers: ConfigReader) throws -> TrainingTrigger.Configuration {
        let volume = try triggers.int("volume", default: 100, in: 0...100_000_000)
        let margin = try triggers.double("accuracy_drop", default: 0.1, in: 0...1)
        let window = try triggers.int("accuracy_window", default: 50, in: 1...1_000_000)
        let drift = try triggers.choice("drift", from: ["page_hinkley", "adwin", "both", "off"], default: "page_hinkley")
        let threshold = try triggers.double("page_hinkley_threshold", default: 50, in: 0.001...1_000_000)
        let confidence = try triggers.double("adwin_confidence", default: 0.002, in: 0.000_000_1...0.5)
        return TrainingTrigger.Configuration(
            volumeThreshold: volume == 0 ? nil : volume,
            accuracyDropMargin: margin == 0 ? nil : margin,
            accuracyWindow: margin == 0 ? nil : window,
            pageHinkley: ["page_hinkley", "both"].contains(drift) ? PageHinkley(threshold: threshold) : nil,
            adwin: ["adwin", "both"].contains(drift) ? ADWIN(confidence: confidence) : nil)
    }
}

private func positive(_ value: Int) -> Int? { value == 0 ? nil : value }

private func optionalDuration(_ reader: ConfigReader, _ key: String) throws -> Duration? {
    guard try reader.string(key) != nil else { return nil }
    let value = try reader.duration(key, default: .zero, in: .zero ... .seconds(100 * 365 * 86_400))
    return value == .zero ? nil : value
}
