import Foundation
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

    @Test func aStoredBudgetComesBackTheSameAndABadOneIsRefused() throws {
        var budget = try PrivacyBudget(maxEpsilon: 8, delta: 1e-5, samplingRate: 0.1, noiseMultiplier: 1.2)
        for _ in 0..<7 { try budget.recordRound() }
        let stored = try JSONEncoder().encode(budget)
        let restored = try JSONDecoder().decode(PrivacyBudget.self, from: stored)
        #expect(restored == budget)
        #expect(restored.spentEpsilon == budget.spentEpsilon && restored.roundsRecorded == 7)
        let text = String(decoding: stored, as: UTF8.self)
        for (from, to, message) in [("\"maxEpsilon\":8", "\"maxEpsilon\":-1", "ε_max is -1.0"), ("\"rounds\":7", "\"rounds\":-2", "composed -2 rounds")] {
            do {
                _ = try JSONDecoder().decode(PrivacyBudget.self, from: Data(text.replacingOccurrences(of: from, with: to).utf8))
                Issue.record("a budget with \(to) was restored")
            } catch let error as PrivacyError {
                #expect(error.reason.contains(message), "\(error.reason)")
            }
        }
    }
}
