/// Element type of a tensor on the wire. All multi-byte types are little-endian.
public enum DType: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// IEEE 754 binary32; the only type v1 peers must accept.
    case float32
    /// Reserved in the contract; not accepted yet.
    case float16
    /// Reserved in the contract (int8 × scale); not accepted yet.
    case int8

    /// Bytes per element.
    public var byteWidth: Int {
        switch self {
        case .float32: 4
        case .float16: 2
        case .int8: 1
        }
    }

    public var description: String {
        switch self {
        case .float32: "FLOAT32"
        case .float16: "FLOAT16"
        case .int8: "INT8"
        }
    }
}

extension DType {
    /// Maps a wire dtype; `nil` for DTYPE_UNSPECIFIED or a value this version does not know.
    init?(proto: Tributary_V1_DType) {
        switch proto {
        case .float32: self = .float32
        case .float16: self = .float16
        case .int8: self = .int8
        case .unspecified, .UNRECOGNIZED: return nil
        }
    }

    func toProto() -> Tributary_V1_DType {
        switch self {
        case .float32: .float32
        case .float16: .float16
        case .int8: .int8
        }
    }
}
