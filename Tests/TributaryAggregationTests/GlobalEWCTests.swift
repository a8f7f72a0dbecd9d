import Testing
import TributaryAggregation

@Suite struct GlobalEWCTests {
    @Test func onlineConsolidationDecaysAndAddsTheMeanFisher() throws {
        var aggregator = try StreamingAggregator(policy: Fixtures.policy(), rule: .fisherWeighted())
        try aggregator.fold(Fixtures.update("a", [0, 0, 0, 0], fisher: [1, 0, 4, 8], n: 1))
        try aggregator.fold(Fixtures.update("b", [0, 0, 0, 0], fisher: [5, 0, 0, 0], n: 3))
        let mean = try #require(try aggregator.aggregate().meanFisher)
        #expect(mean == [4, 0, 1, 2])
        let first = try GlobalEWCState().consolidated(meanFisher: mean, anchor: [1, 2, 3, 4], gamma: 0.5)
        #expect(first == GlobalEWCState(fisher: [4, 0, 1, 2], anchor: [1, 2, 3, 4], consolidations: 1))
        let second = try first.consolidated(meanFisher: [2, 2, 2, 2], anchor: [5, 6, 7, 8], gamma: 0.5)
        #expect(second.fisher == [4, 2, 2.5, 3])
        #expect(second.anchor == [5, 6, 7, 8])
        #expect(second.consolidations == 2)
    }

    @Test func badGammaAndLengthsAreRefused() {
        #expect { try GlobalEWCState().consolidated(meanFisher: [1], anchor: [1], gamma: 1.5) } throws: { "\($0)".contains("gamma is 1.5") }
        #expect { try GlobalEWCState().consolidated(meanFisher: [1, 2], anchor: [1], gamma: 1) } throws: {
            ($0 as? AggregationError)?.code == .stateMismatch
        }
    }
}
