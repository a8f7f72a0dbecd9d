import Testing
import TributaryPrivacy

/// The accountant against Google's dp-accounting 0.6.0 (an independent implementation), on the
/// grid q ∈ {0.01, 0.1, 1}, z ∈ {0.5, 1, 2}, T ∈ {1, 10, 100} at δ = 1e-5. The table is the output
/// of `scripts/dp_reference.py` (run in a venv with `pip install dp-accounting==0.6.0`), pasted
/// here so CI needs no pip.
@Suite struct AccountantReferenceTests {
    // dp-accounting 0.6.0, δ = 1e-05
    static let epsilons: [(q: Double, z: Double, rounds: Int, epsilon: Double)] = [
        (0.01, 0.5, 1, 4.3951835489313265),
        (0.01, 0.5, 10, 5.621563122404441),
        (0.01, 0.5, 100, 8.034119713902147),
        (0.01, 1.0, 1, 0.9555491480288791),
        (0.01, 1.0, 10, 1.0353059381436596),
        (0.01, 1.0, 100, 1.2141452944480204),
        (0.01, 2.0, 1, 0.19357815314381346),
        (0.01, 2.0, 10, 0.20425815947183215),
        (0.01, 2.0, 100, 0.2571292377435293),
        (0.1, 0.5, 1, 7.35527276006338),
        (0.1, 0.5, 10, 14.418327009829337),
        (0.1, 0.5, 100, 36.96666522047155),
        (0.1, 1.0, 1, 2.1330059954307927),
        (0.1, 1.0, 10, 3.441642764041644),
        (0.1, 1.0, 100, 7.903850223578231),
        (0.1, 2.0, 1, 0.5259327241842917),
        (0.1, 2.0, 10, 0.9355049858535108),
        (0.1, 2.0, 100, 2.5805709505045913),
        (1.0, 0.5, 1, 10.725509696418232),
        (1.0, 0.5, 10, 48.80169282486775),
        (1.0, 0.5, 100, 294.8612600716533),
        (1.0, 1.0, 1, 4.728507067217623),
        (1.0, 1.0, 10, 19.05359753163139),
        (1.0, 1.0, 100, 96.11630842505602),
        (1.0, 2.0, 1, 2.165715659029443),
        (1.0, 2.0, 10, 8.079406222420491),
        (1.0, 2.0, 100, 35.08175401905626),
    ]
    static let noiseMultipliers: [(epsilon: Double, q: Double, rounds: Int, z: Double)] = [
        (1.0, 0.1, 100, 4.277611433702969),
        (1.0, 1.0, 50, 28.60519526830252),
        (4.0, 0.1, 100, 1.481528643244905),
        (4.0, 1.0, 50, 8.185246993987397),
        (8.0, 0.1, 100, 0.9937260951238958),
        (8.0, 1.0, 50, 4.509009138328565),
    ]

    @Test(arguments: epsilons.indices)
    func epsilonMatchesDPAccounting(_ index: Int) throws {
        let row = Self.epsilons[index]
        let epsilon = try RDPAccountant.epsilon(samplingRate: row.q, noiseMultiplier: row.z, rounds: row.rounds, delta: 1e-5)
        // The same orders and formulas: agreement to rounding (1e-6 leaves room for another libm).
        #expect(abs(epsilon - row.epsilon) <= 1e-6 * row.epsilon, "q \(row.q) z \(row.z) T \(row.rounds): ε \(epsilon), dp-accounting \(row.epsilon)")
    }

    @Test(arguments: noiseMultipliers.indices)
    func noiseMultiplierMatchesDPAccountingCalibration(_ index: Int) throws {
        let row = Self.noiseMultipliers[index]
        let z = try RDPAccountant.noiseMultiplier(forEpsilon: row.epsilon, delta: 1e-5, samplingRate: row.q, rounds: row.rounds)
        #expect(abs(z - row.z) <= 0.01 * row.z, "ε \(row.epsilon) q \(row.q) T \(row.rounds): z \(z), dp-accounting \(row.z)")
        // The z found spends no more than the target, and 2 % less noise would spend more.
        #expect(try RDPAccountant.epsilon(samplingRate: row.q, noiseMultiplier: z, rounds: row.rounds, delta: 1e-5) <= row.epsilon)
        #expect(try RDPAccountant.epsilon(samplingRate: row.q, noiseMultiplier: z * 0.98, rounds: row.rounds, delta: 1e-5) > row.epsilon)
    }
}
