import Crypto

/// The SecAgg+ communication graph (Bell et al. 2020): each client shares its secrets with, and
/// masks against, only its `degree` neighbours, so the cost grows as n·log n, not n².
///
/// Deterministic from a public seed, so the server and every client compute the same graph: the
/// clients are ordered by SHA-256("tributary.secagg.v1.graph" ‖ seed (8 bytes LE) ‖ index (4 bytes LE))
/// (first 8 bytes, big-endian; ties by index), placed on a ring in that order, and each is joined to
/// the degree/2 clients on either side (a Harary graph over a random permutation). With
/// degree ≥ n − 1 it is the complete graph of the original protocol (Bonawitz et al. 2017).
public struct NeighbourGraph: Sendable, Hashable {
    public let clientCount: Int
    public let degree: Int
    /// position[client] = place on the ring; client[position] its inverse.
    private let position: [Int]
    private let clientAt: [Int]

    public init(clientCount: Int, degree: Int, seed: UInt64) {
        precondition(clientCount >= 1 && degree >= 1, "NeighbourGraph(\(clientCount), \(degree))")
        self.clientCount = clientCount
        self.degree = min(degree, clientCount - 1)
        let keys = (0..<clientCount).map { index -> UInt64 in
            var message = Array("tributary.secagg.v1.graph".utf8)
            message += withUnsafeBytes(of: seed.littleEndian, Array.init)
            message += withUnsafeBytes(of: UInt32(index).littleEndian, Array.init)
            return SHA256.hash(data: message).prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        }
        clientAt = (0..<clientCount).sorted { (keys[$0], $0) < (keys[$1], $1) }
        var position = [Int](repeating: 0, count: clientCount)
        for (place, client) in clientAt.enumerated() { position[client] = place }
        self.position = position
    }

    public var isComplete: Bool { degree >= clientCount - 1 }

    /// The client's neighbours, ascending (never the client itself).
    public func neighbours(of client: Int) -> [Int] {
        if isComplete { return (0..<clientCount).filter { $0 != client } }
        let here = position[client], half = degree / 2
        return (1...half).flatMap { offset in
            [clientAt[(here + offset) % clientCount], clientAt[(here - offset + clientCount) % clientCount]]
        }.sorted()
    }

    public func areNeighbours(_ a: Int, _ b: Int) -> Bool {
        guard a != b else { return false }
        if isComplete { return true }
        let distance = abs(position[a] - position[b])
        return min(distance, clientCount - distance) <= degree / 2
    }
}
