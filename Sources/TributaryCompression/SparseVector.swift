/// A vector of `count` elements of which only the entries at `indices` (strictly increasing) are
/// non-zero.
///
/// Body after the 8-byte header (format 3): k (UInt32, ≤ count), then k index gaps as unsigned
/// LEB128 varints (the first is the first index, each next one is index − previous index − 1, so
/// indices strictly increase and stay below count), then k Float32 values (finite). At 10 % density
/// the gaps take about one byte each: ≈ 5 bytes an entry, 0.125× of the dense Float32 vector.
public struct SparseVector: Sendable, Equatable {
    public let count: Int
    public let indices: [UInt32]
    public let values: [Float]

    init(count: Int, indices: [UInt32], values: [Float]) {
        self.count = count
        self.indices = indices
        self.values = values
    }

    /// The dense vector, zero off the kept indices.
    public func decoded() -> [Float] {
        var dense = [Float](repeating: 0, count: count)
        for (index, value) in zip(indices, values) { dense[Int(index)] = value }
        return dense
    }

    public var serialized: [UInt8] {
        var writer = CompressedFormat.sparse.header(count: count)
        writer.append(UInt32(indices.count))
        var next: UInt32 = 0
        for index in indices {
            writer.appendVarint(index - next)
            next = index + 1
        }
        for value in values { writer.append(value) }
        return writer.bytes
    }

    public init(serialized bytes: [UInt8]) throws {
        var (reader, count) = try CompressedFormat.sparse.readHeader(bytes)
        let k = Int(try reader.uint32(field: "k"))
        guard k <= count else { throw CompressionError(.invalidField, "sparse payload: k is \(k), above the element count \(count)") }
        // Each entry takes at least 1 gap byte and 4 value bytes.
        try reader.require(5 * k, field: "\(k) index gaps and values")
        var indices: [UInt32] = []
        indices.reserveCapacity(k)
        var next: UInt64 = 0
        for entry in 0..<k {
            let index = next + UInt64(try reader.varint(field: "gap[\(entry)]"))
            guard index < UInt64(count) else {
                throw CompressionError(.invalidField, "sparse payload: index[\(entry)] is \(index), not below the element count \(count)")
            }
            indices.append(UInt32(index))
            next = index + 1
        }
        let values = try reader.finiteFloats(k)
        try reader.finish()
        self.init(count: count, indices: indices, values: values)
    }
}
