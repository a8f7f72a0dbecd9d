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
    /// A name already checked (a ``ParameterSet`` entry's).
    init(unchecked name: String, tensor: Tensor) {
        self.name = name
        self.tensor = tensor
    }
}
