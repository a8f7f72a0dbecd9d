import TributaryNumerics

/// A tensor with its parameter name, e.g. `"dense1.weight"`.
public struct NamedTensor: Sendable, Hashable {
    /// Longest name accepted, in UTF-8 bytes.
    public static let maxNameBytes = 256

    public let name: String
    public let tensor: Tensor

    /// Throws ``WireError/Code/missingField`` for an empty name and
    /// ``WireError/Code/invalidValue`` for one longer than ``maxNameBytes``.
    public init(name: String, tensor: Tensor) throws {
        try requireName(name, "NamedTensor.name", maxBytes: Self.maxNameBytes)
        self.name = name
        self.tensor = tensor
    }
}

extension NamedTensor {
    init(proto: Tributary_V1_NamedTensor, field: String, incoming: IncomingTensors? = nil) throws {
        try requireName(proto.name, "\(field).name", maxBytes: Self.maxNameBytes)
        try require(proto.hasTensor, .missingField, "\(field).tensor (\"\(proto.name)\") is absent; it is required")
        self.name = proto.name
        self.tensor = try Tensor(proto: proto.tensor, field: "\(field).tensor (\"\(proto.name)\")", incoming: incoming)
    }

    func toProto(outgoing: OutgoingTensors? = nil) -> Tributary_V1_NamedTensor {
        var proto = Tributary_V1_NamedTensor()
        proto.name = name
        proto.tensor = tensor.toProto(outgoing: outgoing)
        return proto
    }
}
