/// What top-k sparsification has not sent yet: added to the next delta before it is sparsified
/// (error feedback, Stich et al. 2018; Karimireddy et al. 2019), so every coordinate is sent
/// eventually. It is state the edge must keep across rounds and crashes: the edge persists
/// ``serialized`` in its checkpoint and restores it with ``init(serialized:)``.
///
/// Body after the 8-byte header (format 4): count Float32 values (finite).
public struct ErrorFeedbackResidual: Sendable, Equatable {
    public internal(set) var values: [Float]

    /// A zero residual for a model of `count` parameters (the first round, or after a new model).
    public init(count: Int) {
        values = [Float](repeating: 0, count: count)
    }

    public init(values: [Float]) throws {
        if let index = values.firstIndex(where: { !$0.isFinite }) {
            throw CompressionError(.nonFiniteInput, "residual[\(index)] is \(values[index]); a residual is finite")
        }
        self.values = values
    }

    public var count: Int { values.count }

    public var serialized: [UInt8] {
        var writer = CompressedFormat.float32.header(count: count)
        for value in values { writer.append(value) }
        return writer.bytes
    }

    public init(serialized bytes: [UInt8]) throws {
        var (reader, count) = try CompressedFormat.float32.readHeader(bytes)
        let values = try reader.finiteFloats(count)
        try reader.finish()
        self.values = values
    }
}
