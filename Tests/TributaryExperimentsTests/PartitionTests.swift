import Testing
import TributaryExperiments

@Suite struct PartitionTests {
    let labels: [Int32] = (0..<1000).map { Int32($0 % 10) }

    @Test func iidCoversEveryRowOnceInEqualShares() {
        let partition = Partition.iid(count: 1000, clients: 7, seed: 1)
        #expect(partition.clients.flatMap { $0 }.sorted() == Array(0..<1000))
        #expect(partition.clients.allSatisfy { $0.count == 142 || $0.count == 143 })
        #expect(partition == Partition.iid(count: 1000, clients: 7, seed: 1))
    }

    @Test func dirichletSkewsLabelsMoreForSmallAlpha() {
        func meanClassesPerClient(_ alpha: Double) -> Double {
            let partition = Partition.dirichlet(labels: labels, clients: 10, alpha: alpha, seed: 3)
            #expect(partition.clients.flatMap { $0 }.sorted() == Array(0..<1000))
            let counts = partition.clients.map { rows in Set(rows.map { labels[$0] }).filter { label in rows.filter { labels[$0] == label }.count >= 5 }.count }
            return Double(counts.reduce(0, +)) / 10
        }
        let skewed = meanClassesPerClient(0.1), mild = meanClassesPerClient(100)
        #expect(skewed < 5)
        #expect(mild > 9)
        #expect(Partition.dirichlet(labels: labels, clients: 10, alpha: 0.5, seed: 9) == Partition.dirichlet(labels: labels, clients: 10, alpha: 0.5, seed: 9))
    }
}
