import Testing
import TributaryAggregation
import TributaryNumerics

@Suite struct FedAvgTests {
    @Test func designTestVector() throws {
        // [[1,2],[3,4]] with n=1 and [[5,6],[7,8]] with n=3 average to [[4,5],[6,7]].
        var aggregator = try StreamingAggregator(policy: Fixtures.policy(), rule: .fedAvg)
        try aggregator.fold(Fixtures.update("a", [1, 2, 3, 4], n: 1))
        try aggregator.fold(Fixtures.update("b", [5, 6, 7, 8], n: 3))
        let result = try aggregator.aggregate()
        #expect(result.delta == [4, 5, 6, 7])
        #expect(result.totalExamples == 4)
        #expect(result.participants.map(\.clientID) == ["a", "b"])
        #expect(result.meanFisher == nil)
        #expect(result.epsilon == 0)
    }

    @Test func weightsSumToOne() throws {
        // Σ wᵢ = 1: folding the same delta from any number of clients with any n gives that delta.
        var aggregator = try StreamingAggregator(policy: Fixtures.policy(), rule: .fedAvg)
        for (index, n) in [1, 17, 250, 3].enumerated() {
            try aggregator.fold(Fixtures.update("c\(index)", [0.5, -1, 2, 0.25], n: n))
        }
        #expect(Fixtures.close(try aggregator.aggregate().delta, [0.5, -1, 2, 0.25]))
    }

    @Test func serverLearningRateScalesTheStep() throws {
        var aggregator = try StreamingAggregator(policy: Fixtures.policy(), rule: .fedAvg)
        try aggregator.fold(Fixtures.update("a", [1, 2, 3, 4], n: 1))
        try aggregator.fold(Fixtures.update("b", [5, 6, 7, 8], n: 3))
        var theta: [Float] = [10, 10, 10, 10]
        var state = ServerOptimizer.fedAvg(learningRate: 0.5).newState(parameterCount: 4)
        try ServerOptimizer.fedAvg(learningRate: 0.5).apply(delta: aggregator.aggregate().delta, to: &theta, state: &state)
        #expect(theta == [12, 12.5, 13, 13.5])
        #expect(state.momentum.isEmpty && state.secondMoment.isEmpty)
    }

    @Test func fisherCarriedUnderFedAvgGivesTheMeanFisher() throws {
        var aggregator = try StreamingAggregator(policy: Fixtures.policy(), rule: .fedAvg)
        try aggregator.fold(Fixtures.update("a", [0, 0, 0, 0], fisher: [1, 0, 4, 8], n: 1))
        try aggregator.fold(Fixtures.update("b", [0, 0, 0, 0], fisher: [5, 0, 0, 0], n: 3))
        #expect(try aggregator.aggregate().meanFisher == [4, 0, 1, 2])
    }

    @Test func matchesAReferenceOnRandomUpdates() throws {
        var generator = SeededGenerator(seed: 42)
        let layout = ParameterLayout([(name: "dense.weight", shape: [13, 7]), (name: "dense.bias", shape: [7])])
        let count = layout.totalCount
        var aggregator = try StreamingAggregator(policy: Fixtures.policy(layout), rule: .fedAvg)
        var reference = [Double](repeating: 0, count: count)
        var total = 0.0
        for client in 0..<25 {
            let delta = (0..<count).map { _ in 2 * generator.nextUnitFloat() - 1 }
            let n = 1 + Int(generator.next() % 200)
            try aggregator.fold(Fixtures.update("c\(client)", delta, n: n, layout: layout))
            for j in 0..<count { reference[j] += Double(n) * Double(delta[j]) }
            total += Double(n)
        }
        #expect(Fixtures.close(try aggregator.aggregate().delta, reference.map { Float($0 / total) }, tolerance: 1e-4))
    }

    @Test func aggregatingTwiceWithoutNewUpdatesIsStable() throws {
        var aggregator = try StreamingAggregator(policy: Fixtures.policy(), rule: .fedAvg)
        try aggregator.fold(Fixtures.update("a", [1, 2, 3, 4], n: 2))
        #expect(try aggregator.aggregate() == aggregator.aggregate())
    }

    @Test func emptyRoundIsAnError() throws {
        let aggregator = try StreamingAggregator(policy: Fixtures.policy(), rule: .fedAvg)
        #expect { try aggregator.aggregate() } throws: { ($0 as? AggregationError)?.code == .noUpdates }
    }
}
