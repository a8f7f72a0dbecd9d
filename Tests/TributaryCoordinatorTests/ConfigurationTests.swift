import Foundation
import Testing
import TributaryAggregation
import TributaryConfig
@testable import TributaryCoordinator
import TributaryCoordinatorTransport
import TributaryRounds
import TributaryTransport

@Suite struct ConfigurationTests {
    static let example = TestWorld.packageRoot.appendingPathComponent("coordinator/coordinator.yaml").path

    @Test func theCommentedExampleLoadsWithItsDefaults() throws {
        let configuration = try CoordinatorConfiguration.load(contentsOf: Self.example)
        let base = TestWorld.packageRoot.appendingPathComponent("coordinator").path
        #expect(configuration.listen.description == "127.0.0.1:7443")
        #expect(configuration.tls.certificate == base + "/fleet/localhost.pem")
        #expect(configuration.tls.ca == base + "/fleet/ca.pem")
        #expect(configuration.registryDirectory == base + "/registry")
        #expect(configuration.initialCheckpoint == base + "/global.ckpt")
        #expect(configuration.rounds.trigger == .readyClients(2))
        #expect(configuration.rounds.targetUpdates == 2 && configuration.rounds.quorum == 1)
        #expect(configuration.rounds.collectTimeout == .seconds(60))
        #expect(configuration.maxRounds == nil && configuration.readyOnHello)
        #expect(configuration.aggregation == .init())
        // Absurd updates and candidates are refused by default.
        #expect(configuration.aggregation.deltaNormBound == .relative(ratio: 10) && configuration.aggregation.maxUpdateExamples == 1_000_000)
        #expect(configuration.evaluation.gate.maxParameterGrowth == 10)
        #expect(configuration.rounds.retryAfter == .seconds(10))
        #expect(configuration.liveCheck == .seconds(2))
        #expect(configuration.evaluation.heldOut.isEmpty)
        #expect(configuration.admin?.description == "127.0.0.1:7480")
        #expect(configuration.transfers == .init(concurrentSends: 16, sendTimeout: .seconds(120), concurrentReceives: 2, readBytes: 16_384, writeBytes: 32_768))
    }

    @Test func overridesReplaceFileValues() throws {
        let configuration = try CoordinatorConfiguration.load(contentsOf: Self.example, overrides: [
            "rounds.trigger=schedule", "rounds.schedule_every=5m", "rounds.target_updates=12", "rounds.quorum=6",
            "aggregation.server_optimizer=fedadam", "aggregation.rule=fedavg", "evaluation.held_out=recent=/data/recent.csv",
            "admin.enabled=false", "listen=0.0.0.0:9443",
        ])
        #expect(configuration.rounds.trigger == .schedule(every: .seconds(300)))
        #expect(configuration.rounds.selectionSize == 16)
        #expect(configuration.aggregation.rule == .fedAvg)
        #expect(configuration.aggregation.serverOptimizer == .fedAdam(learningRate: 1))
        #expect(configuration.evaluation.heldOut == [.init(name: "recent", path: "/data/recent.csv")])
        #expect(configuration.admin == nil)
        #expect(configuration.listen.port == 9443)
    }

    @Test func theReleasePolicyIsImmediateByDefaultOrACohortWithItsTest() throws {
        #expect(try CoordinatorConfiguration.load(contentsOf: Self.example).release == .immediate)
        let canary = try CoordinatorConfiguration.load(contentsOf: Self.example, overrides: [
            "release.policy=canary", "release.cohort_fraction=0.2", "release.window=10m", "release.min_outcomes=500",
            "release.alpha=0.01", "release.min_effect=0.03",
        ]).release
        #expect(canary == .canary(try CanaryPolicy(fraction: 0.2, minimumDuration: .seconds(600), minimumOutcomesPerArm: 500,
                                                   alpha: 0.01, minimumEffect: 0.03)))
        let ab = try CoordinatorConfiguration.load(contentsOf: Self.example, overrides: ["release.policy=ab"]).release
        #expect(ab.cohort?.mode == .abTest && ab.cohort?.policy.fraction == 0.1)
        let empty = try #require(throws: ConfigError.self) {
            try CoordinatorConfiguration.load(contentsOf: Self.example, overrides: ["release.policy=canary", "release.cohort_fraction=0"])
        }
        #expect("\(empty)".contains("cohort_fraction is 0 and cohort_clients names no client"), "\(empty)")
    }

    @Test func theDeltaBoundIsAutoOffOrANumber() throws {
        func bound(_ overrides: String...) throws -> DeltaNormBound {
            try CoordinatorConfiguration.load(contentsOf: Self.example, overrides: overrides).aggregation.deltaNormBound
        }
        #expect(try bound("aggregation.max_delta_norm=off") == .off)
        #expect(try bound("aggregation.max_delta_norm=2.5") == .absolute(2.5))
        #expect(try bound("aggregation.max_delta_ratio=3") == .relative(ratio: 3))
        #expect(try bound("aggregation.max_delta_norm=auto", "aggregation.max_delta_ratio=3") == .relative(ratio: 3))
    }

    @Test func theUpdateBoundsAreOnByDefaultAndReadFromTheFile() throws {
        func bounds(_ overrides: String...) throws -> UpdateBounds {
            try CoordinatorConfiguration.load(contentsOf: Self.example, overrides: overrides).aggregation.bounds
        }
        #expect(try bounds() == .default)
        #expect(try bounds("aggregation.bounds.enabled=false") == .off)
        let set = try bounds("aggregation.bounds.delta_norm_multiple=off", "aggregation.bounds.fisher_multiple=5",
                             "aggregation.bounds.fisher_floor=0.5", "aggregation.bounds.fisher_norm_multiple=2",
                             "aggregation.bounds.history=50", "aggregation.bounds.minimum_history=10", "aggregation.bounds.stated_examples=false")
        #expect(set == UpdateBounds(deltaNormMultiple: nil, fisherMultiple: 5, fisherFloor: 0.5, fisherNormMultiple: 2, history: 50,
                                    minimumHistory: 10, statedExamples: false))
    }

    @Test func theGateFloorIsOnByDefaultAndReadFromTheFile() throws {
        let defaults = try CoordinatorConfiguration.load(contentsOf: Self.example).evaluation.gate
        #expect(defaults.chanceMargin == 0.05 && defaults.minimumAccuracy == 0 && defaults.maxErrorRise == 0.05 && defaults.maximumError == nil)
        let set = try CoordinatorConfiguration.load(contentsOf: Self.example, overrides: [
            "evaluation.chance_margin=off", "evaluation.minimum_accuracy=0.6", "evaluation.max_error_rise=0.1", "evaluation.maximum_error=1.5",
        ]).evaluation.gate
        #expect(set.chanceMargin == nil && set.minimumAccuracy == 0.6 && set.maxErrorRise == 0.1 && set.maximumError == 1.5)
    }

    @Test(arguments: [
        ("rounds.target_updates=0", "rounds.target_updates is \"0\"; must be in 1...1000000"),
        ("rounds.quorum=5", "rounds.quorum is \"5\"; must be in 1...2"),
        ("listen=nowhere", "listen is \"nowhere\"; must be HOST:PORT"),
        ("rounds.collect_timeout=soon", "rounds.collect_timeout is \"soon\"; must be a duration"),
        ("aggregation.rule=median", "aggregation.rule is \"median\"; must be one of fisher_weighted, fedavg"),
        ("rounds.targte_updates=3", "rounds.targte_updates: unknown key; did you mean rounds.target_updates?"),
        ("evaluation.newest=recent", "evaluation.newest is 'recent'; it must name a held_out set"),
        ("tls.idle_timeout=5s", "tls.idle_timeout is \"5s\"; must be longer than tls.heartbeat"),
        ("transfers.concurrent_receives=0", "transfers.concurrent_receives is \"0\"; must be in 1...100000"),
        ("transfers.read_bytes=512", "transfers.read_bytes is \"512\"; must be in 1024...16777216"),
        ("aggregation.max_delta_norm=0", "aggregation.max_delta_norm is \"0\"; must be auto, off or a number in (0, 1e12] (0 no longer means no bound: write off)"),
        ("aggregation.max_delta_norm=none", "aggregation.max_delta_norm is \"none\"; must be auto, off or a number"),
        ("aggregation.max_update_examples=0", "aggregation.max_update_examples is \"0\"; must be in 1...1000000000000"),
        ("aggregation.bounds.delta_norm_multiple=0.5", "aggregation.bounds.delta_norm_multiple is \"0.5\"; must be off or a number in 1...1e9"),
        ("aggregation.bounds.fisher_norm_multiple=none", "aggregation.bounds.fisher_norm_multiple is \"none\"; must be off or a number"),
        ("aggregation.bounds.minimum_history=31", "aggregation.bounds.minimum_history is \"31\"; must be in 1...30"),
        ("aggregation.bounds.enabled=maybe", "aggregation.bounds.enabled is \"maybe\"; must be true or false"),
        ("evaluation.max_parameter_growth=0.5", "evaluation.max_parameter_growth is \"0.5\"; must be in 1.0...1000000.0"),
        ("evaluation.chance_margin=2", "evaluation.chance_margin is \"2\"; must be in 0.0...1.0"),
        ("evaluation.chance_margin=none", "evaluation.chance_margin is \"none\"; must be a finite number in 0.0...1.0"),
        ("evaluation.minimum_accuracy=-0.1", "evaluation.minimum_accuracy is \"-0.1\"; must be in 0.0...1.0"),
        ("evaluation.maximum_error=0", "evaluation.maximum_error is \"0\"; must be in 1e-12...1000000000000.0"),
        ("evaluation.max_error_rise=-1", "evaluation.max_error_rise is \"-1\"; must be in 0.0...1000000.0"),
        ("rounds.retry_after=0s", "rounds.retry_after is \"0s\"; must be between"),
        ("registry.live_check=10ms", "registry.live_check is \"10ms\"; must be between"),
        ("release.policy=bluegreen", "release.policy is \"bluegreen\"; must be one of immediate, canary, ab"),
        ("release.alpha=0.7", "release.alpha is \"0.7\"; must be in"),
        ("release.cohort_fraction=1", "release.cohort_fraction is \"1\"; must be in"),
    ])
    func badValuesFailWithOneLineNamingKeyAndValue(override: String, expected: String) throws {
        do {
            _ = try CoordinatorConfiguration.load(contentsOf: Self.example, overrides: [override])
            Issue.record("\(override) was accepted")
        } catch {
            let text = "\(error)"
            #expect(text.contains(expected), "\(text)")
            #expect(!text.contains("\n"))
        }
    }

    @Test(arguments: [
        ("admin.listen=0.0.0.0:7480", "admin.listen is 0.0.0.0:7480; the admin endpoint can start rounds and has no authentication unless admin.token_file is set"),
        ("admin.listen=10.1.2.3:7480", "admin.listen is 10.1.2.3:7480;"),
        ("admin.listen=[::]:7480", "admin.listen is [::]:7480;"),
        ("admin.listen=127.evil.example:7480", "admin.listen is 127.evil.example:7480;"),
        ("tls.max_connections=0", "tls.max_connections is \"0\"; must be in 1...10000000"),
        ("tls.max_connections=10000000", "tls.max_connections is 10000000; must be in 1...\(FileDescriptorLimit.connectionBudget): the file-descriptor limit (RLIMIT_NOFILE"),
        ("tls.max_connections_per_address=0", "tls.max_connections_per_address is \"0\"; must be in 1...10000000"),
        ("tls.handshake_timeout=0s", "tls.handshake_timeout is \"0s\"; must be"),
        ("tls.deny_list_optional=maybe", "tls.deny_list_optional is \"maybe\""),
    ])
    func unsafeListenersAndConnectionLimitsAreRefused(override: String, expected: String) throws {
        do {
            _ = try CoordinatorConfiguration.load(contentsOf: Self.example, overrides: [override])
            Issue.record("\(override) was accepted")
        } catch {
            #expect("\(error)".contains(expected), "\(error)")
        }
    }

    @Test func aTokenAllowsAnAdminEndpointOffLoopbackAndTheNewKeysRead() throws {
        let configuration = try CoordinatorConfiguration.load(contentsOf: Self.example, overrides: [
            "admin.listen=0.0.0.0:7480", "admin.token_file=admin-token", "tls.deny_list_optional=true", "tls.handshake_timeout=3s",
            "tls.max_connections=100", "tls.max_connections_per_address=7",
        ])
        let base = TestWorld.packageRoot.appendingPathComponent("coordinator").path
        #expect(configuration.admin?.description == "0.0.0.0:7480")
        #expect(configuration.adminTokenFile == base + "/admin-token")
        #expect(configuration.tls.denyListOptional)
        #expect(configuration.tls.handshakeTimeout == .seconds(3))
        #expect(configuration.tls.maxConnections == 100 && configuration.tls.maxConnectionsPerAddress == 7)
        // Loopback in all its spellings needs no token; the defaults are secure.
        for host in ["127.0.0.1", "127.0.0.2", "localhost", "[::1]"] {
            #expect(try CoordinatorConfiguration.load(contentsOf: Self.example, overrides: ["admin.listen=\(host):0"]).admin != nil)
        }
        let defaults = try CoordinatorConfiguration.load(contentsOf: Self.example)
        #expect(!defaults.tls.denyListOptional && defaults.adminTokenFile == nil)
        #expect(defaults.tls.handshakeTimeout == .seconds(10) && defaults.tls.maxConnections == nil && defaults.tls.maxConnectionsPerAddress == 256)
    }

    @Test func fileErrorsNameTheLine() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-config-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/c.yaml"
        try "tls:\n  certificate: a.pem\n  key: a-key.pem\n  ca: ca.pem\nrounds:\n  over_selection: 0.5\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: ConfigError.self) { try CoordinatorConfiguration.load(contentsOf: path) }
        do {
            _ = try CoordinatorConfiguration.load(contentsOf: path)
        } catch {
            #expect("\(error)".hasPrefix("\(path):6: rounds.over_selection is \"0.5\""), "\(error)")
        }
        try "rounds:\n  target_updates: 3\n".write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try CoordinatorConfiguration.load(contentsOf: path)
            Issue.record("missing TLS paths were accepted")
        } catch {
            #expect("\(error)".contains("tls.certificate: is required"), "\(error)")
        }
    }
}
