import Testing
import TributaryNumerics
@testable import TributarySecureAggregation

@Suite("Fisher-weighted aggregation under secure aggregation")
struct FisherWeightedSecAggTests {
    @Test("both numerators, the FedAvg sum and the example count come out of the masked round; the EWC-weighted delta matches the plaintext rule")
    func fisherWeightedRound() throws {
        let n = 12, parameters = 2_000
        let bounds = FisherWeightedBounds(maxExamples: 500, fisherCap: 50, deltaCap: 0.5)
        let layout = try MaskLayout.fisherWeighted(parameterCount: parameters, bounds: bounds, maxClients: n)
        let configuration = try SecAggConfiguration.recommended(roundID: 1, clientCount: n, graphSeed: 3, layout: layout)
        var generator = SeededGenerator(seed: 40)
        var deltas: [[Float]] = [], fishers: [[Float]] = [], counts: [Int] = []
        for _ in 0..<n {
            deltas.append((0..<parameters).map { _ in (generator.nextUnitFloat() - 0.5) * 0.2 })
            // Some parameters with zero Fisher, some above the cap (clipped).
            fishers.append((0..<parameters).map { j in j % 7 == 0 ? 0 : generator.nextUnitFloat() * 60 })
            counts.append(10 + generator.nextInt(below: 600))
        }
        let inputs = try (0..<n).map { try FisherWeightedInput.segments(delta: deltas[$0], fisher: fishers[$0], examples: counts[$0], bounds: bounds) }
        var harness = try RoundHarness(configuration: configuration, inputs: inputs, drops: [4: .afterSharing], seed: 41)
        _ = harness.run()
        let sum = try #require(harness.sum)
        let decoded = sum.decoded(with: layout)
        let survivors = (0..<n).filter { $0 != 4 }
        // Plaintext sums of the same clipped values, in double.
        for (segment, values) in decoded.enumerated() {
            let bound = layout.segments[segment].encoding.sumErrorBound(summands: survivors.count)
            for j in values.indices {
                let plain = survivors.reduce(0.0) { $0 + Double(inputs[$1][segment][j]) }
                #expect(abs(values[j] - plain) <= bound, "\(layout.segments[segment].name)[\(j)]: \(values[j]) vs \(plain)")
            }
        }
        #expect(decoded[3] == [Double(survivors.reduce(0) { $0 + min(counts[$1], 500) })])
        // The rule: Δ_j = Σ nFΔ / Σ nF, against the same rule on the plaintext.
        for j in stride(from: 1, to: parameters, by: 97) where decoded[1][j] > 0 {
            let secure = decoded[0][j] / decoded[1][j]
            let num = survivors.reduce(0.0) { $0 + Double(inputs[$1][0][j]) }
            let den = survivors.reduce(0.0) { $0 + Double(inputs[$1][1][j]) }
            #expect(abs(secure - num / den) < 1e-6)
        }
    }
}
