import TributaryNumerics

/// A stack of dense layers over one flat parameter buffer.
///
/// Parameters are named `dense1.weight` ([units, fanIn], row-major) and `dense1.bias`, and live
/// contiguously in `parameters`, in the order of `layout`. `update(parameters:)` is the one way
/// to change them from outside.
public struct Sequential: Sendable, Equatable {
    public let spec: ModelSpec
    public let layout: ParameterLayout
    public private(set) var parameters: [Float]
    let layerOffsets: [LayerOffsets]

    /// A freshly initialised model: every weight and bias drawn from U(−1/√fanIn, 1/√fanIn),
    /// the default of common frameworks, from a seeded generator.
    public init(spec: ModelSpec, generator: inout SeededGenerator) throws {
        try spec.validate()
        self.spec = spec
        self.layout = spec.parameterLayout
        self.layerOffsets = Self.layerOffsets(layout)
        var values = [Float](repeating: 0, count: layout.totalCount)
        for pair in stride(from: 0, to: layout.entries.count, by: 2) {
            let weight = layout.entries[pair], bias = layout.entries[pair + 1]
            let bound = 1 / Float(weight.shape[1]).squareRoot()
            for index in weight.range { values[index] = (2 * generator.nextUnitFloat() - 1) * bound }
            for index in bias.range { values[index] = (2 * generator.nextUnitFloat() - 1) * bound }
        }
        self.parameters = values
    }

    /// A model with the given parameters; throws when their count does not fit the spec.
    public init(spec: ModelSpec, parameters: [Float]) throws {
        try spec.validate()
        let layout = spec.parameterLayout
        guard parameters.count == layout.totalCount else {
            throw LearningError(
                .shapeMismatch, "model needs \(layout.totalCount) parameters for its spec, got \(parameters.count)")
        }
        self.spec = spec
        self.layout = layout
        self.layerOffsets = Self.layerOffsets(layout)
        self.parameters = parameters
    }

    /// Replaces all parameters.
    public mutating func update(parameters newValue: [Float]) {
        precondition(newValue.count == layout.totalCount, "update: \(newValue.count) parameters, expected \(layout.totalCount)")
        parameters = newValue
    }

    /// Mutable access to the flat parameter buffer, for optimizers.
    public mutating func withParameters<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try parameters.withUnsafeMutableBufferPointer { try body($0) }
    }

    /// All parameters as a named flat vector.
    public var parameterVector: ParameterVector { ParameterVector(layout: layout, storage: parameters) }

    /// Offsets of each layer's weight and bias in the flat buffer.
    static func layerOffsets(_ layout: ParameterLayout) -> [LayerOffsets] {
        stride(from: 0, to: layout.entries.count, by: 2).map { LayerOffsets(weight: layout.entries[$0].offset, bias: layout.entries[$0 + 1].offset) }
    }
}

struct LayerOffsets: Sendable, Equatable {
    var weight: Int
    var bias: Int
}
