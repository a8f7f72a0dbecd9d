import Testing
import TributaryRounds

@Suite struct CanaryComparisonTests {
    func policy(minimum: Int = 100, window: Duration = .seconds(600)) throws -> CanaryPolicy {
        try CanaryPolicy(fraction: 0.2, minimumDuration: window, minimumOutcomesPerArm: minimum, alpha: 0.05, minimumEffect: 0.02)
    }

    @Test func aClearlyWorseCanaryIsRolledBackWithItsFigures() throws {
        let decision = CanaryComparison.decide(canary: ArmOutcomes(outcomes: 200, correct: 120), control: ArmOutcomes(outcomes: 800, correct: 720),
                                               elapsed: .seconds(601), policy: try policy())
        guard case .rollBack(let figures) = decision else { Issue.record("\(decision)"); return }
        // p̂₁ = 0.6, p̂₀ = 0.9, pooled 0.84: z = −0.3 / √(0.84·0.16·(1/200 + 1/800)) = −10.35
        #expect(abs(figures.z - -10.35) < 0.01)
        #expect(figures.pValue < 1e-20)
    }

    @Test func anEqualOrBetterCanaryIsPromoted() throws {
        for canary in [ArmOutcomes(outcomes: 200, correct: 180), ArmOutcomes(outcomes: 200, correct: 190)] {
            let decision = CanaryComparison.decide(canary: canary, control: ArmOutcomes(outcomes: 800, correct: 720),
                                                   elapsed: .seconds(700), policy: try policy())
            guard case .promote(let figures) = decision else { Issue.record("\(decision)"); continue }
            #expect(figures.pValue >= 0.5)
        }
    }

    @Test func aSignificantButTinyDropIsBelowTheMinimumEffect() throws {
        // 0.895 against 0.905 on 100,000 outcomes each: z ≈ −7.4, but the drop is 0.01 < 0.02.
        let decision = CanaryComparison.decide(canary: ArmOutcomes(outcomes: 100_000, correct: 89_500),
                                               control: ArmOutcomes(outcomes: 100_000, correct: 90_500),
                                               elapsed: .seconds(700), policy: try policy())
        guard case .promote(let figures) = decision else { Issue.record("\(decision)"); return }
        #expect(figures.pValue < 0.05)
    }

    @Test func itWaitsForTheWindowAndForOutcomesInBothArms() throws {
        let worse = ArmOutcomes(outcomes: 200, correct: 100), control = ArmOutcomes(outcomes: 800, correct: 720)
        #expect(CanaryComparison.decide(canary: worse, control: control, elapsed: .seconds(599), policy: try policy())
            == .wait("the window is 600.0 seconds; 599.0 seconds have passed"))
        #expect(CanaryComparison.decide(canary: ArmOutcomes(outcomes: 99, correct: 0), control: control, elapsed: .seconds(900), policy: try policy())
            == .wait("99 canary and 800 control live outcomes; 100 needed in each arm"))
    }

    @Test func theCohortIsStableNamedAndNearTheFraction() throws {
        let policy = try CanaryPolicy(fraction: 0.2, namedClients: ["edge-named"])
        let ids = (0..<2_000).map { "edge-\($0)" }
        let cohort = ids.filter(policy.inCohort)
        #expect((300...500).contains(cohort.count), "\(cohort.count) of 2000 in a 0.2 cohort")
        #expect(ids.filter(policy.inCohort) == cohort)  // the same every time
        #expect(policy.inCohort("edge-named"))
        // Values computed apart (Python, FNV-1a 64 + fmix64), so a change of hash shows up here:
        // of edge-0 … edge-19 a 0.2 cohort holds edge-2, edge-8 and edge-17 (and 365 of the 2,000).
        #expect((0..<20).filter { policy.inCohort("edge-\($0)") } == [2, 8, 17])
        #expect(cohort.count == 365)
    }

    @Test func settingsOutOfRangeAreRefusedByValue() {
        for (build, message) in [
            ({ _ = try CanaryPolicy(fraction: 1.2) }, "release.cohort_fraction must be in [0, 1), got 1.2"),
            ({ _ = try CanaryPolicy(fraction: 0) }, "release: cohort_fraction is 0 and cohort_clients names no client; the cohort would be empty"),
            ({ _ = try CanaryPolicy(alpha: 0) }, "release.alpha must be in (0, 0.5], got 0.0"),
            ({ _ = try CanaryPolicy(minimumOutcomesPerArm: 0) }, "release.min_outcomes must be >= 1, got 0"),
        ] as [(() throws -> Void, String)] {
            do {
                try build()
                Issue.record("accepted: \(message)")
            } catch {
                #expect("\(error)".contains(message), "\(error)")
            }
        }
    }
}
