import Foundation

/// A received tensor's checked description: dtype, scale, rank and shape as protocol v1 allows
/// them, its element count, and the bytes its data must hold. The data itself is copied by
/// ``ParameterSet/init(proto:field:incoming:)``, straight into the set's flat buffer.
struct TensorHeader {
    /// Most dimensions accepted in a wire tensor.
    static let maxRank = 32

    let shape: [Int]
    let count: Int
    private let expectedBytes: UInt64
    private let field: String
    private let protoShape: [UInt64]
    private let dtype: DType

    init(proto: Tributary_V1_Tensor, field: String) throws {
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
        self.shape = shape
        self.count = Int(count)
        self.expectedBytes = expectedBytes
        self.field = field
        self.protoShape = proto.shape
        self.dtype = dtype
    }

    /// Checks the tensor's data holds exactly the bytes its shape needs.
    func check(byteCount: Int) throws {
        try require(UInt64(byteCount) == expectedBytes, .tensorSizeMismatch,
                    "\(field).data has \(byteCount) bytes but shape \(protoShape) of \(dtype) needs \(expectedBytes)")
    }

    /// The scalars as protocol v1 carries them: raw little-endian float32, one block copy.
    static func littleEndianData(_ scalars: ArraySlice<Float>) -> Data {
        #if _endian(big)
        let scalars = scalars.map { Float(bitPattern: $0.bitPattern.littleEndian) }
        #endif
        return scalars.withUnsafeBytes { Data($0) }
    }
}
