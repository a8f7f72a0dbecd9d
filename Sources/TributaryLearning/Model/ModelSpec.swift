import TributaryNumerics

/// A model described as data, so a checkpoint can rebuild it: the input width and a stack of
/// dense layers, each with its width and activation, and the loss the model is trained with.
public struct ModelSpec: Sendable, Codable, Equatable, Hashable {
    public struct Layer: Sendable, Codable, Equatable, Hashable {
        public var units: Int
        public var activation: Activation

        public init(units: Int, activation: Activation) {
            self.units = units
            self.activation = activation
        }
    }

    public var inputSize: Int
    public var layers: [Layer]
    public var loss: Loss

    public init(inputSize: Int, layers: [Layer], loss: Loss = .softmaxCrossEntropy) throws {
        self.inputSize = inputSize
        self.layers = layers
        self.loss = loss
        try validate()
    }

    /// A multilayer perceptron: `hidden` widths with one activation, then a linear output.
    /// `ModelSpec.mlp(input: 64, hidden: [64], outputs: 10)` is the 64-64-10 MLP.
    public static func mlp(
        input: Int, hidden: [Int], outputs: Int, activation: Activation = .relu, loss: Loss = .softmaxCrossEntropy
    ) throws -> ModelSpec {
        try ModelSpec(
            inputSize: input,
            layers: hidden.map { Layer(units: $0, activation: activation) } + [Layer(units: outputs, activation: .identity)],
            loss: loss)
    }

    public var outputSize: Int { layers.last?.units ?? 0 }

    /// Names of the layers, `dense1` … `denseN`, as they appear in parameter names.
    public var layerNames: [String] { (1...max(1, layers.count)).prefix(layers.count).map { "dense\($0)" } }

    /// Checks sizes and that the loss fits the output layer; throws `invalidModelSpec`.
    public func validate() throws {
        guard inputSize > 0 else {
            throw LearningError(.invalidModelSpec, "model spec: inputSize must be positive, got \(inputSize)")
        }
        guard !layers.isEmpty else {
            throw LearningError(.invalidModelSpec, "model spec: needs at least one layer, got none")
        }
        for (index, layer) in layers.enumerated() where layer.units <= 0 {
            throw LearningError(
                .invalidModelSpec, "model spec: layer dense\(index + 1) must have positive units, got \(layer.units)")
        }
        if loss != .meanSquaredError, layers.last!.activation != .identity {
            throw LearningError(
                .invalidModelSpec,
                "model spec: loss \(loss.rawValue) takes logits, so the last layer's activation must be identity, got \(layers.last!.activation.rawValue)"
            )
        }
        if loss == .softmaxCrossEntropy, outputSize < 2 {
            throw LearningError(
                .invalidModelSpec, "model spec: softmaxCrossEntropy needs at least 2 outputs, got \(outputSize)")
        }
    }

    /// The parameter layout of this spec: `dense1.weight` [out, in], `dense1.bias` [out], …
    public var parameterLayout: ParameterLayout {
        var layout = ParameterLayout()
        var fanIn = inputSize
        for (index, layer) in layers.enumerated() {
            layout.append(name: "dense\(index + 1).weight", shape: [layer.units, fanIn])
            layout.append(name: "dense\(index + 1).bias", shape: [layer.units])
            fanIn = layer.units
        }
        return layout
    }
}
