/// A vector quantised to int8 with one Float32 scale per block: element i is `values[i]` ·
/// `scales[i / blockSize]` (format 1), or its square (format 5, square-root companding).
///
/// Body after the 8-byte header (formats 1 and 5 alike): block size (UInt32), then ⌈count / blockSize⌉ scales
/// (Float32, finite, ≥ 0), then count int8 values (two's complement, −127 … 127; −128 is refused so
/// that the range is symmetric). 1 + 4/blockSize bytes an element: 0.254× of Float32 at block 256.
public struct Int8Blocks: Sendable, Equatable {
    public let count: Int
    public let blockSize: Int
    public let scales: [Float]
    public let values: [Int8]
    public let companding: Int8Quantizer.Companding

    init(count: Int, blockSize: Int, scales: [Float], values: [Int8], companding: Int8Quantizer.Companding) {
        self.count = count
        self.blockSize = blockSize
        self.scales = scales
        self.values = values
        self.companding = companding
    }

    /// The Float32 vector the integers stand for.
    public func decoded() -> [Float] {
        let linear = values.indices.map { Float(values[$0]) * scales[$0 / blockSize] }
        return companding == .linear ? linear : linear.map { $0 * $0 }
    }

    public var serialized: [UInt8] {
        var writer = Self.format(companding).header(count: count)
        writer.append(UInt32(blockSize))
        for scale in scales { writer.append(scale) }
        writer.append(bytes: values.map { UInt8(bitPattern: $0) })
        return writer.bytes
    }

    static func format(_ companding: Int8Quantizer.Companding) -> CompressedFormat {
        companding == .linear ? .int8Blocks : .int8SquareRootBlocks
    }

    /// Reads a format-1 payload, or a format-5 one when `companding` is `.squareRoot`.
    public init(serialized bytes: [UInt8], companding: Int8Quantizer.Companding = .linear) throws {
        var (reader, count) = try Self.format(companding).readHeader(bytes)
        let blockSize = Int(try reader.uint32(field: "block size"))
        guard blockSize >= 1 else { throw CompressionError(.invalidField, "int8Blocks payload: block size is 0; it must be at least 1") }
        let blocks = count / blockSize + (count % blockSize == 0 ? 0 : 1)
        try reader.require(4 * blocks + count, field: "\(blocks) scales and \(count) values")
        var scales: [Float] = []
        scales.reserveCapacity(blocks)
        for block in 0..<blocks {
            let scale = try reader.float(field: "scale[\(block)]")
            guard scale.isFinite, scale >= 0 else {
                throw CompressionError(.invalidField, "int8Blocks payload: scale[\(block)] is \(scale); a scale is finite and ≥ 0")
            }
            scales.append(scale)
        }
        let values = try reader.bytes(count, field: "values").map { Int8(bitPattern: $0) }
        if let index = values.firstIndex(of: -128) {
            throw CompressionError(.invalidField, "int8Blocks payload: value[\(index)] is −128; values lie in −127 … 127")
        }
        try reader.finish()
        self.init(count: count, blockSize: blockSize, scales: scales, values: values, companding: companding)
    }
}
