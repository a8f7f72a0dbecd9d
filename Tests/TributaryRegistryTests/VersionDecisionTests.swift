import Foundation
import Testing
@testable import TributaryRegistry

/// Release decisions stored with a version, in the same transaction as the status they set.
@Suite struct VersionDecisionTests {
    @Test func aCanaryStartedThenRolledBackLeavesBothDecisionsAndARejectedVersion() throws {
        let registry = try RegistryFixtures.registry()
        let first = try registry.register(candidate: try RegistryFixtures.candidate(seed: 1))
        try registry.promote(first.number)
        let second = try registry.register(candidate: try RegistryFixtures.candidate(seed: 2, parent: first.number))
        try registry.record(VersionDecision(version: second.number, kind: "canary_started", reason: "the gate passed it", figures: ["alpha": 0.05]))
        #expect(try registry.show(second.number).status == .candidate, "a started canary changes no status")
        let rolledBack = try registry.settle(promote: false, VersionDecision(
            version: second.number, kind: "canary_rolled_back", reason: "the canary is worse than the control",
            figures: ["canary.outcomes": 120, "canary.correct": 13, "p_value": 1e-50]))
        #expect(rolledBack.status == .rejected && rolledBack.statusReason == "the canary is worse than the control")
        #expect(try registry.live()?.number == first.number)
        let decisions = try registry.decisions(of: second.number)
        #expect(decisions.map(\.kind) == ["canary_started", "canary_rolled_back"])
        #expect(decisions[1].figures == ["canary.outcomes": 120, "canary.correct": 13, "p_value": 1e-50])
        #expect(try registry.decisions(of: first.number).isEmpty)
    }

    @Test func aPromotionAndItsDecisionAreOneTransaction() throws {
        let registry = try RegistryFixtures.registry()
        let first = try registry.register(candidate: try RegistryFixtures.candidate(seed: 1))
        let promoted = try registry.settle(promote: true, VersionDecision(version: first.number, kind: "operator_promoted", reason: "by hand"))
        #expect(promoted.isLive && promoted.status == .promoted)
        // A figure that is not finite refuses the whole settlement: the status does not change either.
        let second = try registry.register(candidate: try RegistryFixtures.candidate(seed: 2, parent: first.number))
        let error = try #require(throws: RegistryError.self) {
            try registry.settle(promote: true, VersionDecision(version: second.number, kind: "canary_promoted", reason: "x", figures: ["z": .nan]))
        }
        #expect(error.reason.contains("figure 'z' is nan"), "\(error.reason)")
        #expect(try registry.show(second.number).status == .candidate && registry.decisions(of: second.number).isEmpty)
        #expect(throws: RegistryError.self) { try registry.record(VersionDecision(version: 99, kind: "canary_started", reason: "")) }
    }
}
