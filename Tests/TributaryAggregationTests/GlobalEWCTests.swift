import Testing
import TributaryAggregation

@Suite struct GlobalEWCTests {
    static let raw = ConsolidationPolicy(trigger: .dataChange, gamma: 0.5, normalised: false)

    @Test func onlineConsolidationDecaysAndAddsThePendingFisher() throws {
        var aggregator = try StreamingAggregator(policy: Fixtures.policy(), rule: .fisherWeighted())
        try aggregator.fold(Fixtures.update("a", [0, 0, 0, 0], fisher: [1, 0, 4, 8], n: 1))
        try aggregator.fold(Fixtures.update("b", [0, 0, 0, 0], fisher: [5, 0, 0, 0], n: 3))
        let mean = try #require(try aggregator.aggregate().meanFisher)
        #expect(mean == [4, 0, 1, 2])
        let closed = try GlobalEWCState().closingRound(meanFisher: mean, parameters: [1, 2, 3, 4], policy: Self.raw)
        #expect(closed == GlobalEWCState(pending: [4, 0, 1, 2], age: 1))
        let first = try closed.consolidated(anchor: [1, 2, 3, 4], policy: Self.raw)
        #expect(first == GlobalEWCState(fisher: [4, 0, 1, 2], anchor: [1, 2, 3, 4], consolidations: 1))
        let second = try first.closingRound(meanFisher: [2, 2, 2, 2], parameters: [5, 6, 7, 8], policy: Self.raw)
            .consolidated(anchor: [5, 6, 7, 8], policy: Self.raw)
        #expect(second.fisher == [4, 2, 2.5, 3])
        #expect(second.anchor == [5, 6, 7, 8])
        #expect(second.consolidations == 2)
    }

    @Test func roundsWithinATaskKeepTheAnchorAndReplaceThePendingFisher() throws {
        let policy = ConsolidationPolicy(trigger: .dataChange)
        let start = GlobalEWCState(fisher: [1, 1], anchor: [0, 0], consolidations: 1)
        var state = start
        for round in 1...10 {
            state = try state.closingRound(meanFisher: [Float(round), 0], parameters: [Float(round), 1], policy: policy)
        }
        // Ten rounds of one task: the consolidated memory and its anchor are untouched.
        #expect(state.fisher == start.fisher && state.anchor == start.anchor && state.consolidations == 1)
        #expect(state.pending == [10, 0] && state.age == 10)
        #expect(!policy.isDue(state, dataChanged: false))
        #expect(policy.isDue(state, dataChanged: true))
        #expect(ConsolidationPolicy(trigger: .everyRounds(10)).isDue(state, dataChanged: false))
        #expect(!ConsolidationPolicy(trigger: .everyRounds(11)).isDue(state, dataChanged: false))
    }

    @Test func normalisedConsolidationGivesEachTaskMeanOneWhateverItsScale() throws {
        let policy = ConsolidationPolicy(trigger: .dataChange, gamma: 1, normalised: true)
        let small = try GlobalEWCState(pending: [0.001, 0.003]).consolidated(anchor: [0, 0], policy: policy)
        let large = try GlobalEWCState(pending: [1000, 3000]).consolidated(anchor: [0, 0], policy: policy)
        #expect(small.fisher == [0.5, 1.5])
        #expect(large.fisher == small.fisher)
        let two = try small.closingRound(meanFisher: [4, 0], parameters: [1, 1], policy: policy).consolidated(anchor: [1, 1], policy: policy)
        #expect(two.fisher == [2.5, 1.5])
    }

    @Test func everyRoundConsolidatesAsEachRoundCloses() throws {
        let state = try GlobalEWCState().closingRound(meanFisher: [2, 4], parameters: [1, 1], policy: .everyRound(gamma: 1))
        #expect(state == GlobalEWCState(fisher: [2, 4], anchor: [1, 1], consolidations: 1))
    }

    @Test func badGammaScheduleAndLengthsAreRefused() {
        let bad = ConsolidationPolicy(trigger: .dataChange, gamma: 1.5)
        #expect { try GlobalEWCState(pending: [1]).consolidated(anchor: [1], policy: bad) } throws: { "\($0)".contains("gamma is 1.5") }
        #expect { try ConsolidationPolicy(trigger: .everyRounds(0)).validate() } throws: { "\($0)".contains("every 0 rounds") }
        #expect { try GlobalEWCState(pending: [1, 2]).consolidated(anchor: [1], policy: Self.raw) } throws: {
            ($0 as? AggregationError)?.code == .stateMismatch
        }
    }
}
