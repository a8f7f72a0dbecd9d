import Testing
import TributaryRounds

@Suite struct CanaryRolloutTests {
    let start = ContinuousClock.Instant.now

    func rollout(mode: CanaryRollout.Mode = .canary, reports: [String: (version: UInt64, counts: ArmOutcomes)] = [:]) throws -> CanaryRollout {
        let policy = try CanaryPolicy(fraction: 0, namedClients: ["c1", "c2"], minimumDuration: .seconds(60), minimumOutcomesPerArm: 50,
                                      alpha: 0.05, minimumEffect: 0.05)
        return CanaryRollout(version: 3, baseVersion: 2, policy: policy, mode: mode, startedAt: start, reports: reports)
    }

    @Test func theControlArmCountsOnlyOutcomesSinceTheRelease() throws {
        var rollout = try rollout(reports: ["k1": (2, ArmOutcomes(outcomes: 500, correct: 100))])
        rollout.report(client: "k1", version: 2, counts: ArmOutcomes(outcomes: 560, correct: 150))
        // k2's first report after the release is its baseline.
        rollout.report(client: "k2", version: 2, counts: ArmOutcomes(outcomes: 40, correct: 40))
        rollout.report(client: "k2", version: 2, counts: ArmOutcomes(outcomes: 70, correct: 68))
        #expect(rollout.control == ArmOutcomes(outcomes: 90, correct: 78))
        #expect(rollout.reporting.control == 2)
    }

    @Test func theCanaryArmCountsTheCohortOnTheCandidateOnly() throws {
        var rollout = try rollout()
        rollout.report(client: "c1", version: 2, counts: ArmOutcomes(outcomes: 99, correct: 99))  // not adopted yet
        rollout.report(client: "c1", version: 3, counts: ArmOutcomes(outcomes: 30, correct: 10))
        rollout.report(client: "c2", version: 3, counts: ArmOutcomes(outcomes: 30, correct: 12))
        rollout.report(client: "k1", version: 3, counts: ArmOutcomes(outcomes: 5, correct: 5))  // not in the cohort
        #expect(rollout.canary == ArmOutcomes(outcomes: 60, correct: 22))
        #expect(rollout.inCohort("c2") && !rollout.inCohort("k1"))
    }

    @Test func aResetStoreStartsItsBaselineAgain() throws {
        var rollout = try rollout(reports: ["k1": (2, ArmOutcomes(outcomes: 500, correct: 400))])
        rollout.report(client: "k1", version: 2, counts: ArmOutcomes(outcomes: 10, correct: 9))
        #expect(rollout.control == ArmOutcomes(outcomes: 0, correct: 0))
        rollout.report(client: "k1", version: 2, counts: ArmOutcomes(outcomes: 30, correct: 20))
        #expect(rollout.control == ArmOutcomes(outcomes: 20, correct: 11))
    }

    @Test func itWaitsForTheWindowAndTheOutcomesThenRollsBackAWorseCanary() throws {
        var rollout = try rollout()
        rollout.report(client: "c1", version: 3, counts: ArmOutcomes(outcomes: 60, correct: 20))
        rollout.report(client: "k1", version: 2, counts: ArmOutcomes(outcomes: 0, correct: 0))
        rollout.report(client: "k1", version: 2, counts: ArmOutcomes(outcomes: 40, correct: 36))
        guard case .wait = rollout.decision(now: start + .seconds(30)) else { Issue.record("decided inside the window"); return }
        guard case .wait(let missing) = rollout.decision(now: start + .seconds(61)) else { Issue.record("decided with 40 control outcomes"); return }
        #expect(missing.contains("40 control"))
        rollout.report(client: "k1", version: 2, counts: ArmOutcomes(outcomes: 60, correct: 54))
        guard case .rollBack(let figures) = rollout.decision(now: start + .seconds(61)) else { Issue.record("not rolled back"); return }
        #expect(figures.canary.outcomes == 60 && figures.control.outcomes == 60 && figures.pValue < 0.05)
    }

    @Test func anABTestNeverDecidesByItself() throws {
        var rollout = try rollout(mode: .abTest)
        rollout.report(client: "c1", version: 3, counts: ArmOutcomes(outcomes: 1000, correct: 10))
        rollout.report(client: "k1", version: 2, counts: ArmOutcomes(outcomes: 0, correct: 0))
        rollout.report(client: "k1", version: 2, counts: ArmOutcomes(outcomes: 1000, correct: 990))
        guard case .wait = rollout.decision(now: start + .seconds(3600)) else { Issue.record("an A/B test decided"); return }
        #expect(rollout.figures.pValue < 1e-10)
    }

    @Test func figuresWithAnEmptyArmAreNeutral() throws {
        let rollout = try rollout()
        #expect(rollout.figures.z == 0 && rollout.figures.pValue == 0.5)
    }
}
