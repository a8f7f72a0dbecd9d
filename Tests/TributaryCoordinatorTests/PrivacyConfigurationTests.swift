import Testing
@testable import TributaryCoordinator

/// `privacy:`: off by default; with a mode, the budget, the clip and one way to the noise are
/// required, and every bad value fails with one line naming the key and the value.
@Suite struct PrivacyConfigurationTests {
    static let example = ConfigurationTests.example

    @Test func privacyIsOffByDefaultAndReadWhenOn() throws {
        #expect(try CoordinatorConfiguration.load(contentsOf: Self.example).privacy == .off)
        let trusted = try CoordinatorConfiguration.load(contentsOf: Self.example, overrides: [
            "privacy.mode=trusted_server", "privacy.epsilon=4", "privacy.rounds=50", "privacy.delta_clip=0.5",
            "privacy.fisher_cap=2", "privacy.fisher_clip=20", "privacy.seed=9",
        ]).privacy
        #expect(trusted == PrivacySettings(mode: .trustedServer, epsilon: 4, delta: 1e-5, noise: .plannedRounds(50), deltaClip: 0.5,
                                           fisherCap: 2, fisherClip: 20, seed: 9))
        let distributed = try CoordinatorConfiguration.load(contentsOf: Self.example, overrides: [
            "privacy.mode=distributed", "privacy.epsilon=8", "privacy.delta=1e-6", "privacy.noise_multiplier=1.2", "privacy.delta_clip=1",
            "aggregation.rule=fedavg",
        ]).privacy
        #expect(distributed.mode == .distributed && distributed.noise == .multiplier(1.2) && distributed.delta == 1e-6)
    }

    @Test(arguments: [
        (["privacy.mode=on"], "privacy.mode is \"on\"; must be one of off, trusted_server, distributed"),
        (["privacy.mode=trusted_server", "privacy.rounds=10", "privacy.delta_clip=1"], "privacy.epsilon"),
        (["privacy.mode=trusted_server", "privacy.epsilon=4", "privacy.rounds=10"], "privacy.delta_clip"),
        (["privacy.mode=trusted_server", "privacy.epsilon=4", "privacy.delta_clip=1"], "privacy.rounds"),
        (["privacy.mode=trusted_server", "privacy.epsilon=4", "privacy.delta_clip=1", "privacy.rounds=10", "privacy.noise_multiplier=1"],
         "privacy.noise_multiplier is \"1\""),
        (["privacy.mode=trusted_server", "privacy.epsilon=-1", "privacy.delta_clip=1", "privacy.rounds=10"], "privacy.epsilon is \"-1\""),
        (["privacy.mode=trusted_server", "privacy.epsilon=4", "privacy.delta_clip=0", "privacy.rounds=10"], "privacy.delta_clip is \"0\""),
        (["privacy.mode=trusted_server", "privacy.epsilon=4", "privacy.delta_clip=1", "privacy.rounds=0"], "privacy.rounds is \"0\""),
        (["privacy.mode=trusted_server", "privacy.epsilon=4", "privacy.delta_clip=1", "privacy.rounds=10", "privacy.delta=1"], "privacy.delta is \"1\""),
        (["privacy.mode=trusted_server", "privacy.epsilon=4", "privacy.delta_clip=1", "privacy.rounds=10", "privacy.fisher_cap=x"],
         "privacy.fisher_cap is \"x\""),
        (["privacy.mode=distributed", "privacy.epsilon=4", "privacy.delta_clip=1", "privacy.rounds=10"],
         "privacy.mode is distributed and aggregation.rule is fisher_weighted"),
    ])
    func badPrivacyValuesNameKeyAndValue(overrides: [String], expected: String) throws {
        do {
            _ = try CoordinatorConfiguration.load(contentsOf: Self.example, overrides: overrides)
            Issue.record("\(overrides) was accepted")
        } catch {
            let text = "\(error)"
            #expect(text.contains(expected), "\(text)")
            #expect(!text.contains("\n"))
        }
    }
}
