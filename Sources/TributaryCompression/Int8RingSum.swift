/// Sums int8-quantised vectors as secure aggregation does: in the ring Z_2^32 (UInt32 with
/// wrapping addition), each int8 q taken as q mod 2³². Every client must quantise with the same
/// scales (``Int8Quantizer/Scale/shared(_:)`` or scales the plan announces), so the integer sum
/// times the scale is the sum of the decoded vectors. With |q| ≤ 127 the true sum of n clients lies
/// in [−127n, 127n], which a signed 32-bit reading recovers exactly while n ≤ 16,909,320
/// (127n < 2³¹): the sum cannot wrap.
public struct Int8RingSum: Sendable, Equatable {
    public static let maxClients = Int(Int32.max) / 127

    public let blockSize: Int
    public let scales: [Float]
    /// The running sum, element by element, in Z_2^32.
    public private(set) var ring: [UInt32]
    public private(set) var clients = 0

    /// An empty sum for vectors quantised with `blockSize` and `scales`.
    public init(count: Int, blockSize: Int, scales: [Float]) throws {
        guard blockSize >= 1, scales.count == (count + blockSize - 1) / blockSize else {
            throw CompressionError(.mismatch, "\(scales.count) scales for \(count) values in blocks of \(blockSize)")
        }
        self.blockSize = blockSize
        self.scales = scales
        ring = [UInt32](repeating: 0, count: count)
    }

    /// Adds one client's integers (mod 2³²).
    public mutating func add(_ update: Int8Blocks) throws {
        guard update.companding == .linear else {
            throw CompressionError(.mismatch, "update is square-root companded; only linear int8 values add up in Z_2^32")
        }
        guard update.count == ring.count, update.blockSize == blockSize, update.scales == scales else {
            throw CompressionError(.mismatch, "update of \(update.count) values, block \(update.blockSize), against a sum of \(ring.count) values, block \(blockSize); the scales must be the shared ones")
        }
        guard clients < Self.maxClients else {
            throw CompressionError(.mismatch, "sum already holds \(clients) clients; more could wrap Z_2^32")
        }
        for index in ring.indices { ring[index] &+= UInt32(bitPattern: Int32(update.values[index])) }
        clients += 1
    }

    /// Adds a vector of ring elements (e.g. the unmasked sum a secure-aggregation round returns).
    public mutating func add(ringElements elements: [UInt32], clients count: Int) throws {
        guard elements.count == ring.count else {
            throw CompressionError(.mismatch, "\(elements.count) ring elements against a sum of \(ring.count)")
        }
        for index in ring.indices { ring[index] &+= elements[index] }
        clients += count
    }

    /// The sum of the clients' decoded vectors: each ring element read as a signed 32-bit integer,
    /// times its block's scale.
    public func decoded() -> [Float] {
        ring.indices.map { Float(Int32(bitPattern: ring[$0])) * scales[$0 / blockSize] }
    }
}
