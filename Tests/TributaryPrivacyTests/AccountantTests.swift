import Foundation
import Testing
import TributaryPrivacy

@Suite struct AccountantTests {
    @Test func fullParticipationMatchesTheClosedFormOfTheGaussianMechanism() throws {
        // q = 1: RDP(α) = Tα / 2z², so ε(δ) = min_α Tα/2z² + log(1 − 1/α) − log(δα)/(α − 1).
        let z = 2.0, rounds = 10, delta = 1e-5
        let accountant = try RDPAccountant().composing(samplingRate: 1, noiseMultiplier: z, rounds: rounds)
        for (order, rdp) in zip(accountant.orders, accountant.rdp) {
            #expect(abs(rdp - Double(rounds) * order / (2 * z * z)) < 1e-9)
        }
        let closedForm = accountant.orders.map { a in
            Double(rounds) * a / (2 * z * z) + log(1 - 1 / a) - log(delta * a) / (a - 1)
        }.min()!
        #expect(abs(try accountant.epsilon(delta: delta).epsilon - closedForm) < 1e-9)
    }

    @Test func integerAndFractionalSeriesAgreeAtNeighbouringOrders() throws {
        // RDP is continuous in α: the fractional series at 3.999 and 4.001 brackets the binomial sum at 4.
        let (q, z) = (0.05, 1.1)
        let below = SampledGaussianRDP.rdp(samplingRate: q, noiseMultiplier: z, order: 3.999)
        let at = SampledGaussianRDP.rdp(samplingRate: q, noiseMultiplier: z, order: 4)
        let above = SampledGaussianRDP.rdp(samplingRate: q, noiseMultiplier: z, order: 4.001)
        #expect(below < at && at < above)
        #expect(abs(above - below) < 0.01 * at)
    }

    @Test func compositionAddsUp() throws {
        var stepwise = try RDPAccountant()
        for _ in 0..<5 { try stepwise.compose(samplingRate: 0.1, noiseMultiplier: 1) }
        let atOnce = try RDPAccountant().composing(samplingRate: 0.1, noiseMultiplier: 1, rounds: 5)
        #expect(stepwise.rounds == 5)
        // Orders whose series does not converge are +∞ both ways.
        for (a, b) in zip(stepwise.rdp, atOnce.rdp) { #expect(a == b || abs(a - b) <= 1e-12 * max(1, abs(b))) }
        #expect(stepwise.rdp.contains { $0.isFinite })
    }

    @Test func moreNoiseOrLessSamplingSpendsLess() throws {
        let base = try RDPAccountant.epsilon(samplingRate: 0.1, noiseMultiplier: 1, rounds: 50, delta: 1e-5)
        #expect(try RDPAccountant.epsilon(samplingRate: 0.1, noiseMultiplier: 1.5, rounds: 50, delta: 1e-5) < base)
        #expect(try RDPAccountant.epsilon(samplingRate: 0.05, noiseMultiplier: 1, rounds: 50, delta: 1e-5) < base)
        #expect(try RDPAccountant.epsilon(samplingRate: 0, noiseMultiplier: 1, rounds: 50, delta: 1e-5) == 0)
        #expect(try RDPAccountant.epsilon(samplingRate: 0.1, noiseMultiplier: 0, rounds: 1, delta: 1e-5) == .infinity)
    }

    @Test func badQueriesAreRefusedByName() throws {
        do {
            _ = try RDPAccountant().composing(samplingRate: 1.5, noiseMultiplier: 1)
            Issue.record("q 1.5 was accepted")
        } catch let error as PrivacyError {
            #expect(error.reason == "sampling rate is 1.5; it must lie in [0, 1]")
        }
        #expect(throws: PrivacyError(.invalidConfiguration, "")) { try RDPAccountant().epsilon(delta: 0) }
        #expect(throws: PrivacyError(.invalidConfiguration, "")) { try RDPAccountant(orders: [0.5]) }
        #expect(throws: PrivacyError(.unreachableEpsilon, "")) {
            try RDPAccountant.noiseMultiplier(forEpsilon: 1e-6, delta: 1e-5, samplingRate: 1, rounds: 1000)
        }
    }
}
