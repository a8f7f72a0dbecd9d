import Testing
import TributaryPrivacy

@Suite struct PrivacyBudgetTests {
    @Test func theBudgetStopsTheRoundThatWouldExceedEpsilonMax() throws {
        // Sized for exactly 20 rounds at q = 0.1 and ε 4: the 21st round is refused.
        var budget = try PrivacyBudget.forRounds(20, maxEpsilon: 4, delta: 1e-5, samplingRate: 0.1)
        var spent: [Double] = []
        for _ in 0..<20 { spent.append(try budget.recordRound()) }
        #expect(zip(spent, spent.dropFirst()).allSatisfy { $0 < $1 })
        #expect(spent.last! <= 4)
        #expect(budget.spentEpsilon == spent.last!)
        guard case .exceedsBudget(let now, let after) = budget.nextRound() else {
            Issue.record("round 21 fits in a budget sized for 20")
            return
        }
        #expect(now == spent.last!)
        #expect(after > 4)
        do {
            try budget.recordRound()
            Issue.record("round 21 was recorded")
        } catch let error as PrivacyError {
            #expect(error.code == .budgetExhausted)
            #expect(error.reason.contains("round 21"))
            #expect(error.reason.contains("ε_max 4.0"))
        }
        #expect(budget.roundsRecorded == 20)
    }

    @Test func aFreshBudgetReportsTheFirstRound() throws {
        let budget = try PrivacyBudget(maxEpsilon: 8, delta: 1e-5, samplingRate: 1, noiseMultiplier: 2)
        #expect(budget.spentEpsilon == 0)
        let expected = try RDPAccountant.epsilon(samplingRate: 1, noiseMultiplier: 2, rounds: 1, delta: 1e-5)
        #expect(budget.nextRound() == .allowed(epsilonAfter: expected))
    }

    @Test func badBudgetsAreRefused() {
        #expect(throws: PrivacyError(.invalidConfiguration, "")) { try PrivacyBudget(maxEpsilon: 0, delta: 1e-5, samplingRate: 0.1, noiseMultiplier: 1) }
        #expect(throws: PrivacyError(.invalidConfiguration, "")) { try PrivacyBudget(maxEpsilon: 1, delta: 1, samplingRate: 0.1, noiseMultiplier: 1) }
    }
}
