import Testing
import TributaryAggregation

@Suite struct RoundOutcomeTests {
    @Test func fedAvgRoundEndToEnd() throws {
        var aggregator = try StreamingAggregator(policy: Fixtures.policy(), rule: .fedAvg)
        try aggregator.fold(Fixtures.update("a", [1, 2, 3, 4], n: 1))
        try aggregator.fold(Fixtures.update("b", [5, 6, 7, 8], n: 3))
        let outcome = try aggregator.outcome(
            parameters: [0, 0, 0, 0], optimizer: .fedAvg(), state: ServerOptimizerState(), ewc: GlobalEWCState(), consolidation: ConsolidationPolicy())
        #expect(outcome.parameters == [4, 5, 6, 7])
        #expect(outcome.optimizerState.step == 1)
        #expect(outcome.ewc == GlobalEWCState(age: 1))
    }

    @Test func fisherRoundCarriesTheGlobalEWCStateForward() throws {
        var aggregator = try StreamingAggregator(policy: Fixtures.policy(), rule: .fisherWeighted(relativeEpsilon: 0))
        try aggregator.fold(Fixtures.update("a", [1, 1, 0, 0], fisher: [2, 0, 1, 0], n: 2))
        let previous = GlobalEWCState(fisher: [1, 1, 1, 1], anchor: [0, 0, 0, 0], consolidations: 3)
        let optimizer = ServerOptimizer.fedAvgM(learningRate: 0.5, momentum: 0.9)
        let outcome = try aggregator.outcome(
            parameters: [10, 20, 30, 40], optimizer: optimizer, state: optimizer.newState(parameterCount: 4), ewc: previous, consolidation: .everyRound(gamma: 0.5))
        // Parameter 1 has zero Fisher: unchanged. Parameter 0 moves by η·Δ̄ = 0.5.
        #expect(Fixtures.close(outcome.parameters, [10.5, 20, 30, 40]))
        let ewc = outcome.ewc
        #expect(ewc.fisher == [2.5, 0.5, 1.5, 0.5])
        #expect(ewc.anchor == outcome.parameters)
        #expect(ewc.consolidations == 4)
    }

    @Test func wrongParameterCountChangesNothing() throws {
        var aggregator = try StreamingAggregator(policy: Fixtures.policy(), rule: .fedAvg)
        try aggregator.fold(Fixtures.update("a", [1, 2, 3, 4], n: 1))
        #expect { try aggregator.outcome(parameters: [0], optimizer: .fedAvg(), state: ServerOptimizerState(), ewc: GlobalEWCState(), consolidation: ConsolidationPolicy()) } throws: {
            ($0 as? AggregationError)?.code == .stateMismatch && "\($0)".contains("1 values")
        }
    }
}
