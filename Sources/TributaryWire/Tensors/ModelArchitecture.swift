/// A model's architecture on the wire: a stack of dense layers and the loss, so a client that has
/// no checkpoint yet builds exactly the coordinator's model. Parameters are named
/// `dense<k>.weight` [units, fanIn] and `dense<k>.bias` [units], k from 1.
public struct ModelArchitecture: Sendable, Hashable {
    public enum Activation: String, Sendable, Hashable, CaseIterable {
        case identity, relu, tanh, sigmoid
    }

    public enum Loss: String, Sendable, Hashable, CaseIterable {
        case softmaxCrossEntropy, binaryCrossEntropy, meanSquaredError
    }

    public struct Layer: Sendable, Hashable {
        public var units: UInt32
        public var activation: Activation

        public init(units: UInt32, activation: Activation) {
            self.units = units
            self.activation = activation
        }
    }

    public var inputSize: UInt32
    public var layers: [Layer]
    public var loss: Loss

    public init(inputSize: UInt32, layers: [Layer], loss: Loss) {
        self.inputSize = inputSize
        self.layers = layers
        self.loss = loss
    }

    func validate(field: String) throws {
        try require(inputSize > 0, .invalidValue, "\(field).input_size is 0; must be > 0")
        try require(!layers.isEmpty, .missingField, "\(field).layers is empty; at least one layer is required")
        for (index, layer) in layers.enumerated() {
            try require(layer.units > 0, .invalidValue, "\(field).layers[\(index)].units is 0; must be > 0")
        }
    }
}

extension ModelArchitecture {
    init(proto: Tributary_V1_ModelArchitecture, field: String) throws {
        let layers = try proto.layers.enumerated().map { index, layer in
            Layer(units: layer.units, activation: try Self.activation(layer.activation, field: "\(field).layers[\(index)].activation"))
        }
        let loss: Loss
        switch proto.loss {
        case .softmaxCrossEntropy: loss = .softmaxCrossEntropy
        case .binaryCrossEntropy: loss = .binaryCrossEntropy
        case .meanSquaredError: loss = .meanSquaredError
        case .unspecified, .UNRECOGNIZED:
            throw WireError(.invalidValue, "\(field).loss is \(proto.loss.rawValue); must be one of 1 (softmax cross-entropy), 2 (binary cross-entropy), 3 (mean squared error)")
        }
        self.init(inputSize: proto.inputSize, layers: layers, loss: loss)
        try validate(field: field)
    }

    private static func activation(_ value: Tributary_V1_Activation, field: String) throws -> Activation {
        switch value {
        case .identity: return .identity
        case .relu: return .relu
        case .tanh: return .tanh
        case .sigmoid: return .sigmoid
        case .unspecified, .UNRECOGNIZED:
            throw WireError(.invalidValue, "\(field) is \(value.rawValue); must be one of 1 (identity), 2 (relu), 3 (tanh), 4 (sigmoid)")
        }
    }

    func toProto() -> Tributary_V1_ModelArchitecture {
        var proto = Tributary_V1_ModelArchitecture()
        proto.inputSize = inputSize
        proto.layers = layers.map { layer in
            var dense = Tributary_V1_DenseLayer()
            dense.units = layer.units
            switch layer.activation {
            case .identity: dense.activation = .identity
            case .relu: dense.activation = .relu
            case .tanh: dense.activation = .tanh
            case .sigmoid: dense.activation = .sigmoid
            }
            return dense
        }
        switch loss {
        case .softmaxCrossEntropy: proto.loss = .softmaxCrossEntropy
        case .binaryCrossEntropy: proto.loss = .binaryCrossEntropy
        case .meanSquaredError: proto.loss = .meanSquaredError
        }
        return proto
    }
}
