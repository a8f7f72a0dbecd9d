import Foundation
import TributaryNumerics

/// The wire carries the numerics layer's `Tensor` (one type from training to frames): a dense,
/// row-major float32 tensor. On the wire its elements are raw little-endian bytes; mapping copies
/// them in one block (no per-element work), so a 1M-element tensor maps in well under a millisecond.
extension Tensor {
    /// A tensor from values not yet checked (a peer's, a file's): throws
    /// ``WireError/Code/tensorSizeMismatch`` if `scalars.count` is not the product of `shape`,
    /// ``WireError/Code/invalidValue`` for a negative dimension, ``WireError/Code/shapeOverflow``
    /// if the product overflows, each naming the shape and counts.
    public init(validatingShape shape: [Int], scalars: [Float]) throws {
        var count = 1
        for (axis, dim) in shape.enumerated() {
            try require(dim >= 0, .invalidValue, "Tensor.shape[\(axis)] is \(dim); dimensions must be >= 0")
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            try require(!overflow, .shapeOverflow, "Tensor.shape \(shape) has more elements than Int.max")
            count = product
        }
        try require(count == scalars.count, .tensorSizeMismatch,
                    "Tensor has \(scalars.count) scalars but shape \(shape) needs \(count)")
        self.init(shape: shape, scalars: scalars)
    }

    /// Bytes of its data on the wire.
    public var byteCount: Int { scalars.count * MemoryLayout<Float>.size }
}

extension Tensor {
    /// Most dimensions accepted in a wire tensor.
    static let maxRank = 32

    /// With `incoming`, a non-empty `data` is a marker for bytes kept apart (see ``TensorDataRewriter``).
    init(proto: Tributary_V1_Tensor, field: String, incoming: IncomingTensors? = nil) throws {
        guard let dtype = DType(proto: proto.dtype) else {
            if case .unspecified = proto.dtype {
                throw WireError(.missingField, "\(field).dtype is DTYPE_UNSPECIFIED; a tensor must name its dtype")
            }
            throw WireError(.unknownDType, "\(field).dtype is \(proto.dtype.rawValue), not a DType of protocol v1 (1 = FLOAT32, 2 = FLOAT16, 3 = INT8)")
        }
        try require(dtype == .float32, .unsupportedDType,
                    "\(field).dtype is \(dtype), reserved in protocol v1 but not accepted yet; send FLOAT32")
        try require(proto.scale == 0, .invalidValue, "\(field).scale is \(proto.scale); it must be 0 unless dtype is INT8")
        try require(proto.shape.count <= Self.maxRank, .invalidValue,
                    "\(field).shape has \(proto.shape.count) dimensions; at most \(Self.maxRank) allowed")
        var shape: [Int] = []
        shape.reserveCapacity(proto.shape.count)
        var count: UInt64 = 1
        for dim in proto.shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            try require(!overflow && product <= UInt64(Int.max), .shapeOverflow,
                        "\(field).shape \(proto.shape) has more than \(Int.max) elements")
            count = product
            shape.append(Int(dim))
        }
        let (expectedBytes, overflow) = count.multipliedReportingOverflow(by: UInt64(dtype.byteWidth))
        try require(!overflow && expectedBytes <= UInt64(Int.max), .shapeOverflow,
                    "\(field).shape \(proto.shape) of \(dtype) needs more than \(Int.max) bytes")
        let scalars = { (data: UnsafeRawBufferPointer) throws -> [Float] in
            try require(UInt64(data.count) == expectedBytes, .tensorSizeMismatch,
                        "\(field).data has \(data.count) bytes but shape \(proto.shape) of \(dtype) needs \(expectedBytes)")
            return Self.scalars(fromLittleEndian: data, count: Int(count))
        }
        if let incoming, !proto.data.isEmpty {
            self.init(shape: shape, scalars: try scalars(incoming.bytes(for: proto.data)))
        } else {
            self.init(shape: shape, scalars: try proto.data.withUnsafeBytes(scalars))
        }
    }

    /// With `outgoing`, `data` is a marker and the scalars are written later, straight into frames.
    func toProto(outgoing: OutgoingTensors? = nil) -> Tributary_V1_Tensor {
        var proto = Tributary_V1_Tensor()
        proto.dtype = .float32
        proto.shape = shape.map { UInt64($0) }
        if let outgoing, !scalars.isEmpty {
            proto.data = outgoing.marker(for: scalars)
        } else {
            proto.data = Self.littleEndianData(scalars)
        }
        return proto
    }

    /// One block copy; byte-swaps only on a big-endian host.
    static func scalars(fromLittleEndian data: UnsafeRawBufferPointer, count: Int) -> [Float] {
        var scalars = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            HugePages.advise(buffer.baseAddress, byteCount: data.count)
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: data)
            initialized = count
        }
        #if _endian(big)
        for i in scalars.indices { scalars[i] = Float(bitPattern: UInt32(littleEndian: scalars[i].bitPattern)) }
        #endif
        return scalars
    }

    static func littleEndianData(_ scalars: [Float]) -> Data {
        #if _endian(big)
        let scalars = scalars.map { Float(bitPattern: $0.bitPattern.littleEndian) }
        #endif
        return scalars.withUnsafeBytes { Data($0) }
    }
}
