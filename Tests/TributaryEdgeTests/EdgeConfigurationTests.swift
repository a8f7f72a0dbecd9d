import Foundation
import Testing
import TributaryConfig
import TributaryEdge
import TributaryFeedback
import TributaryLearning

@Suite struct EdgeConfigurationTests {
    static let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("edge/edge.yaml").path

    let minimal = """
        coordinator:
          address: 127.0.0.1:7443
        tls: {ca: ca.pem, cert: e.pem, key: e-key.pem}
        feedback: {features: 4, classes: 2}
        """

    func load(_ yaml: String, _ overrides: [String] = []) throws -> EdgeConfiguration {
        let reader = try ConfigReader(yaml: yaml, source: "edge.yaml", overrides: overrides)
        let configuration = try EdgeConfiguration(reader: reader)
        try reader.finish()
        return try configuration.validated()
    }

    @Test func theCommentedExampleLoadsWithItsDocumentedDefaults() throws {
        let reader = try ConfigReader(contentsOf: Self.example)
        let configuration = try EdgeConfiguration(reader: reader)
        try reader.finish()
        _ = try configuration.validated()
        let defaults = try load(minimal)
        // The example shows the defaults: apart from the required keys it is the minimal file.
        #expect(configuration.context == defaults.context)
        #expect(configuration.triggers == defaults.triggers)
        #expect(configuration.reconnect == defaults.reconnect)
        #expect(configuration.ingestion == defaults.ingestion)
        #expect(configuration.feedback.maxExamples == defaults.feedback.maxExamples)
        #expect(configuration.feedback.importMaxBytes == defaults.feedback.importMaxBytes && defaults.feedback.importMaxBytes == 64 << 20)
        #expect(configuration.stateDirectory == defaults.stateDirectory)
        #expect(configuration.heartbeatInterval == defaults.heartbeatInterval && configuration.idleTimeout == defaults.idleTimeout)
        #expect(configuration.feedbackStorePath == "/var/lib/tributary-edge/feedback.sqlite")
        #expect(configuration.feedback.maxPredictions == defaults.feedback.maxPredictions && defaults.feedback.maxPredictions == 10_000)
        #expect(configuration.feedback.confirmWeight == defaults.feedback.confirmWeight && defaults.feedback.confirmWeight == 0.5)
        #expect(configuration.feedback.review == defaults.feedback.review && defaults.feedback.review == ReviewPolicy())
    }

    @Test func reviewAndPredictionLogKeysApply() throws {
        let configuration = try load(minimal, ["review.confidence=margin", "review.threshold=0.3", "review.sample_rate=0.05",
                                              "review.max_queue=20", "feedback.max_predictions=500", "feedback.confirm_weight=0", "seed=9"])
        #expect(configuration.feedback.review == ReviewPolicy(confidence: .margin, threshold: 0.3, sampleRate: 0.05, seed: 9, maxQueue: 20))
        #expect(configuration.feedback.maxPredictions == 500 && configuration.feedback.confirmWeight == 0)
    }

    @Test func secureDefaults() throws {
        let configuration = try load(minimal)
        #expect(configuration.ingestion.enabled == false)
        #expect(configuration.ingestion.listen.host == "127.0.0.1")
        #expect(configuration.serverName == nil)
        #expect(configuration.triggers.trigger.volumeThreshold == 100)
        #expect(configuration.context.replay == ReplayConfiguration(capacity: 200, policy: .reservoir))
    }

    @Test func overridesAndChoicesApply() throws {
        let configuration = try load(minimal, ["triggers.drift=both", "triggers.volume=0", "context.replay_policy=decay",
                                              "context.replay_half_life=50", "ingestion.enabled=true", "ingestion.listen=[::1]:9000"])
        #expect(configuration.triggers.trigger.adwin != nil && configuration.triggers.trigger.pageHinkley != nil)
        #expect(configuration.triggers.trigger.volumeThreshold == nil)
        #expect(configuration.context.replay.policy == .exponentialDecay(halfLife: 50))
        #expect(configuration.ingestion.listen.host == "::1")
        #expect(try load(minimal, ["feedback.held_out_fraction=0.2"]).feedback.heldOutFraction == 0.2)
    }

    /// Each bad configuration fails with one line naming the key and the value.
    @Test(arguments: [
        ("triggers.volume=-3", "edge.yaml: triggers.volume is \"-3\"; must be in 0...100000000"),
        ("reconnect.initial=soon", "--set: reconnect.initial is \"soon\"; must be a duration"),
        ("coordinator.address=nohost", "coordinator.address is \"nohost\"; \"nohost\" is not HOST:PORT"),
        ("ingestion.listen=0.0.0.0:8477", "ingestion.listen is 0.0.0.0:8477; the feedback endpoint has no authentication"),
        ("context.replay_policy=fifo", "context.replay_policy is \"fifo\"; must be one of reservoir"),
        ("triggers.volum=5", "triggers.volum: unknown key; did you mean triggers.volume?"),
        ("session.idle_timeout=5s", "session.idle_timeout is 5.0 seconds; must be at least 2 × session.heartbeat"),
        ("review.confidence=entropy", "review.confidence is \"entropy\"; must be one of max_probability, margin"),
        ("review.threshold=1.5", "review.threshold is \"1.5\"; must be in 0"),
        ("review.max_queue=0", "review.max_queue is \"0\"; must be in 1"),
        ("feedback.max_predictions=0", "feedback.max_predictions is \"0\"; must be in 1"),
        ("feedback.confirm_weight=-1", "feedback.confirm_weight is \"-1\"; must be in 0"),
        ("feedback.held_out_fraction=0.95", "feedback.held_out_fraction is \"0.95\"; must be in 0"),
    ])
    func invalidValuesNameKeyAndValue(override: String, message: String) throws {
        do {
            _ = try load(minimal, [override])
            Issue.record("\(override) was accepted")
        } catch {
            let text = "\(error)"
            #expect(!text.contains("\n"))
            #expect(text.contains(message.replacingOccurrences(of: "edge.yaml: ", with: "")), "\(text)")
        }
    }

    @Test func requiredKeysAreNamed() throws {
        let error = #expect(throws: ConfigError.self) { try load("coordinator: {address: 'h:1'}\n") }
        #expect(error?.description == "edge.yaml: tls.ca: is required and not set")
        let features = #expect(throws: ConfigError.self) {
            try load("coordinator: {address: 'h:1'}\ntls: {ca: a, cert: b, key: c}\nfeedback: {classes: 2}\n")
        }
        #expect(features?.key == "feedback.features")
    }

    @Test func directoryAndFileKeysThatPointAtTheWrongKindOfThingAreNamed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("edge-config-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/x"
        _ = FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        let cases: [(String, String)] = [
            ("state.directory=\(file)", "state.directory \(file) is a file, not a directory"),
            ("state.directory=\(file)/deeper/state", "state.directory \(file)/deeper/state: \(file) is a file, not a directory"),
            ("feedback.store=\(dir)", "feedback.store \(dir) is a directory, not a file"),
            ("feedback.store=\(file)/f.sqlite", "feedback.store \(file)/f.sqlite: \(file) is a file, not a directory"),
            ("feedback.import=\(dir)", "feedback.import \(dir) is a directory, not a file"),
            ("tls.ca=\(dir)", "tls.ca \(dir) is a directory, not a file"),
            ("tls.key=\(dir)", "tls.key \(dir) is a directory, not a file"),
        ]
        for (override, message) in cases {
            let error = #expect(throws: EdgeError.self, "\(override)") { try load(minimal, ["state.directory=\(dir)/state", override]) }
            #expect(error?.reason == message, "\(override)")
        }
        #expect(throws: Never.self) { try load(minimal, ["state.directory=\(dir)/new/state", "feedback.store=\(file)"]) }
    }
}
