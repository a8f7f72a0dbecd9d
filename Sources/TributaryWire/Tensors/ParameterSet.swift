import TributaryNumerics

/// An ordered set of named tensors with unique names: a model, a delta, a Fisher diagonal.
public struct ParameterSet: Sendable, Hashable {
    public let tensors: [NamedTensor]

    /// Throws ``WireError/Code/invalidValue`` if two tensors share a name.
    public init(_ tensors: [NamedTensor]) throws {
        try Self.checkUnique(tensors.lazy.map(\.name), field: "ParameterSet.tensors")
        self.tensors = tensors
    }

    /// The tensor named `name`, if any.
    public subscript(name: String) -> Tensor? {
        tensors.first { $0.name == name }?.tensor
    }

    /// Total number of scalars.
    public var scalarCount: Int { tensors.reduce(0) { $0 + $1.tensor.count } }

    /// True if `other` has the same names, in the same order, with the same shapes.
    public func hasSameLayout(as other: ParameterSet) -> Bool {
        tensors.count == other.tensors.count
            && zip(tensors, other.tensors).allSatisfy { $0.name == $1.name && $0.tensor.shape == $1.tensor.shape }
    }

    private static func checkUnique(_ names: some Sequence<String>, field: String) throws {
        var seen = Set<String>()
        for (index, name) in names.enumerated() {
            try require(seen.insert(name).inserted, .invalidValue,
                        "\(field)[\(index)].name \"\(name)\" appears twice; names must be unique")
        }
    }
}

extension ParameterSet {
    init(proto: Tributary_V1_ParameterSet, field: String, incoming: IncomingTensors? = nil) throws {
        try Self.checkUnique(proto.tensors.lazy.map(\.name), field: "\(field).tensors")
        self.tensors = try proto.tensors.enumerated().map { index, tensor in
            try NamedTensor(proto: tensor, field: "\(field).tensors[\(index)]", incoming: incoming)
        }
    }

    func toProto(outgoing: OutgoingTensors? = nil) -> Tributary_V1_ParameterSet {
        var proto = Tributary_V1_ParameterSet()
        proto.tensors = tensors.map { $0.toProto(outgoing: outgoing) }
        return proto
    }
}
