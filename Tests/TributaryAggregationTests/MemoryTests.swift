import Testing
import TributaryAggregation
import TributaryNumerics

@Suite struct MemoryTests {
    @Test(arguments: [AggregationRule.fedAvg, .fisherWeighted()])
    func storageDoesNotGrowWithClients(rule: AggregationRule) throws {
        let layout = ParameterLayout([(name: "w", shape: [64, 16])])
        var aggregator = try StreamingAggregator(policy: Fixtures.policy(layout), rule: rule)
        var generator = SeededGenerator(seed: 1)
        let fisher = (0..<layout.totalCount).map { _ in generator.nextUnitFloat() }
        try aggregator.fold(Fixtures.update("c0", [Float](repeating: 0.01, count: layout.totalCount), fisher: fisher, n: 1, layout: layout))
        let after1 = aggregator.storageCount
        for client in 1..<1000 {
            let delta = (0..<layout.totalCount).map { _ in generator.nextUnitFloat() - 0.5 }
            try aggregator.fold(Fixtures.update("c\(client)", delta, fisher: fisher, n: 1 + client % 7, layout: layout))
        }
        #expect(aggregator.acceptedCount == 1000)
        #expect(aggregator.storageCount == after1)
        #expect(aggregator.storageCount <= 2 * layout.totalCount)
    }
}
