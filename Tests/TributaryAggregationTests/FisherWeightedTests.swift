import Testing
import TributaryAggregation
import TributaryNumerics

@Suite struct FisherWeightedTests {
    let rule = AggregationRule.fisherWeighted(relativeEpsilon: 0, absoluteEpsilon: 1e-12)

    @Test func weightsEachParameterByItsFisher() throws {
        var aggregator = try StreamingAggregator(policy: Fixtures.policy(), rule: rule)
        // Parameter 0: only a knows it. 1, 2: a and b equally. 3: b three times as much (F). c knows nothing.
        try aggregator.fold(Fixtures.update("a", [1, 1, 1, 1], fisher: [2, 1, 1, 1], n: 1))
        try aggregator.fold(Fixtures.update("b", [9, 3, 5, 5], fisher: [0, 1, 1, 3], n: 1))
        try aggregator.fold(Fixtures.update("c", [0, 0, 0, 0], fisher: [0, 0, 0, 0], n: 5))
        let result = try aggregator.aggregate()
        #expect(Fixtures.close(result.delta, [1, 2, 3, 4]))
        // Mean Fisher Σ nF / Σ n over all seven examples.
        let expectedMean: [Float] = [2.0 / 7, 2.0 / 7, 2.0 / 7, 4.0 / 7]
        #expect(Fixtures.close(result.meanFisher!, expectedMean))
    }

    @Test func zeroFisherParameterKeepsItsValue() throws {
        // Parameter 1 is another task's head: no client has information about it. On deltas it
        // stays where it is; Σ F θ / Σ F on raw parameters would have pulled it to 0.
        var aggregator = try StreamingAggregator(policy: Fixtures.policy(), rule: .fisherWeighted())
        try aggregator.fold(Fixtures.update("a", [0.5, 0.3, 0.1, -0.2], fisher: [1, 0, 2, 1], n: 10))
        try aggregator.fold(Fixtures.update("b", [0.1, -0.4, 0.1, 0.2], fisher: [3, 0, 2, 1], n: 30))
        let global: [Float] = [1, 2.5, -3, 4]
        var theta = global
        var state = ServerOptimizerState()
        try ServerOptimizer.fedAvg().apply(delta: aggregator.aggregate().delta, to: &theta, state: &state)
        #expect(theta[1] == 2.5)
        #expect(theta[0] != global[0] && theta[2] != global[2])
    }

    @Test func allZeroFisherMeansNoChange() throws {
        var aggregator = try StreamingAggregator(policy: Fixtures.policy(), rule: .fisherWeighted())
        try aggregator.fold(Fixtures.update("a", [1, 2, 3, 4], fisher: [0, 0, 0, 0], n: 2))
        let result = try aggregator.aggregate()
        #expect(result.delta == [0, 0, 0, 0])
        #expect(result.delta.allSatisfy { $0.isFinite })
    }

    @Test func epsilonIsRelativeToTheMeanWeightedFisher() throws {
        var aggregator = try StreamingAggregator(policy: Fixtures.policy(), rule: .fisherWeighted(relativeEpsilon: 0.5, absoluteEpsilon: 1e-12))
        try aggregator.fold(Fixtures.update("a", [1, 1, 1, 1], fisher: [4, 4, 0, 0], n: 1))
        let result = try aggregator.aggregate()
        // mean_j Σ nF = 2, ε = 0.5·2 + 1e-12 ≈ 1; Δ̄ = 4/(4+1) on the first two.
        #expect(abs(result.epsilon - 1) < 1e-6)
        #expect(Fixtures.close(result.delta, [0.8, 0.8, 0, 0]))
    }

    @Test func equalFisherReducesToFedAvg() throws {
        var weighted = try StreamingAggregator(policy: Fixtures.policy(), rule: rule)
        var plain = try StreamingAggregator(policy: Fixtures.policy(), rule: .fedAvg)
        for (client, delta, n) in [("a", [Float](arrayLiteral: 1, 2, 3, 4), 1), ("b", [5, 6, 7, 8], 3)] {
            try weighted.fold(Fixtures.update(client, delta, fisher: [0.7, 0.7, 0.7, 0.7], n: n))
            try plain.fold(Fixtures.update(client, delta, n: n))
        }
        #expect(Fixtures.close(try weighted.aggregate().delta, try plain.aggregate().delta))
        #expect(Fixtures.close(try weighted.aggregate().delta, [4, 5, 6, 7]))
    }

    @Test func simdKernelMatchesScalarOnOddLengths() throws {
        // 37 values: four full SIMD8 blocks and a scalar tail.
        var generator = SeededGenerator(seed: 9)
        let layout = ParameterLayout([(name: "v", shape: [37])])
        var aggregator = try StreamingAggregator(policy: Fixtures.policy(layout), rule: rule)
        var numerator = [Double](repeating: 0, count: 37), denominator = numerator
        for client in 0..<6 {
            let delta = (0..<37).map { _ in generator.nextUnitFloat() - 0.5 }
            let fisher = (0..<37).map { _ in generator.nextUnitFloat() }
            let n = client + 1
            try aggregator.fold(Fixtures.update("c\(client)", delta, fisher: fisher, n: n, layout: layout))
            for j in 0..<37 {
                numerator[j] += Double(n) * Double(fisher[j]) * Double(delta[j])
                denominator[j] += Double(n) * Double(fisher[j])
            }
        }
        let expected = (0..<37).map { Float(numerator[$0] / (denominator[$0] + 1e-12)) }
        #expect(Fixtures.close(try aggregator.aggregate().delta, expected, tolerance: 1e-4))
    }

    @Test func badEpsilonIsRefused() {
        #expect { try StreamingAggregator(policy: Fixtures.policy(), rule: .fisherWeighted(relativeEpsilon: -1)) } throws: {
            ($0 as? AggregationError)?.code == .invalidConfiguration && "\($0)".contains("-1")
        }
    }
}
