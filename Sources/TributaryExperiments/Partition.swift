import Foundation
import TributaryLearning
import TributarySystem

/// How a data set is split across simulated clients: row indices per client.
public struct Partition: Sendable, Equatable, Codable {
    /// `clients[k]` holds the row indices client k owns.
    public var clients: [[Int]]

    public init(clients: [[Int]]) {
        self.clients = clients
    }

    /// Each client gets an equal share of a seeded shuffle.
    public static func iid(count: Int, clients: Int, seed: UInt64) -> Partition {
        precondition(clients > 0, "Partition.iid needs at least one client, got \(clients)")
        var generator = SeededGenerator(seed: seed)
        var order = Array(0..<count)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, generator.nextInt(below: i + 1)) }
        var result = [[Int]](repeating: [], count: clients)
        for (position, index) in order.enumerated() { result[position % clients].append(index) }
        return Partition(clients: result.map { $0.sorted() })
    }

    /// Label skew: for every class, the proportions of its examples across clients are drawn
    /// from Dirichlet(α, …, α) (Hsu et al. 2019); small α gives each client few classes.
    public static func dirichlet(labels: [Int32], clients: Int, alpha: Double, seed: UInt64) -> Partition {
        precondition(clients > 0 && alpha > 0, "Partition.dirichlet(clients: \(clients), alpha: \(alpha))")
        var generator = SeededGenerator(seed: seed)
        var result = [[Int]](repeating: [], count: clients)
        for label in Set(labels).sorted() {
            var indices = labels.indices.filter { labels[$0] == label }
            for i in stride(from: indices.count - 1, to: 0, by: -1) { indices.swapAt(i, generator.nextInt(below: i + 1)) }
            let weights = (0..<clients).map { _ in gamma(shape: alpha, generator: &generator) }
            let total = weights.reduce(0, +)
            var start = 0
            var cumulative = 0.0
            for client in 0..<clients {
                cumulative += weights[client] / total
                let end = client == clients - 1 ? indices.count : min(indices.count, Int((cumulative * Double(indices.count)).rounded()))
                if end > start { result[client] += indices[start..<end] }
                start = max(start, end)
            }
        }
        return Partition(clients: result.map { $0.sorted() })
    }

    /// Reads a partition file: JSON `{"clients": [[row, …], …]}`, rows 0-based into the data set.
    public static func load(path: String, rowCount: Int) throws -> Partition {
        let bytes: [UInt8]
        do { bytes = try AtomicFile.read(path) } catch let error as FileError { throw LearningError(.io, error.reason) }
        let partition: Partition
        do {
            partition = try JSONDecoder().decode(Partition.self, from: Data(bytes))
        } catch {
            throw LearningError(.invalidData, "partition file \(path): not JSON of the form {\"clients\": [[row, …], …]}: \(error)")
        }
        for (client, rows) in partition.clients.enumerated() {
            if let bad = rows.first(where: { $0 < 0 || $0 >= rowCount }) {
                throw LearningError(.invalidData, "partition file \(path): client \(client) names row \(bad), outside 0..<\(rowCount)")
            }
        }
        return partition
    }

    /// Marsaglia & Tsang (2000) gamma sampler; shape < 1 via the boost x · U^(1/shape).
    static func gamma(shape: Double, generator: inout SeededGenerator) -> Double {
        if shape < 1 {
            let u = max(Double(generator.nextUnitFloat()), 1e-12)
            return gamma(shape: shape + 1, generator: &generator) * pow(u, 1 / shape)
        }
        let d = shape - 1.0 / 3.0, c = 1 / (9 * d).squareRoot()
        while true {
            let x = Double(generator.nextGaussian())
            let v = pow(1 + c * x, 3)
            guard v > 0 else { continue }
            let u = max(Double(generator.nextUnitFloat()), 1e-12)
            if log(u) < 0.5 * x * x + d - d * v + d * log(v) { return d * v }
        }
    }
}
