/// A computation graph in ONNX's terms, as plain values: nodes in topological order, the constant
/// tensors they read (initializers), and the typed graph inputs and outputs.
///
/// Only what Tributary writes is modelled: float32 tensors and int/float attributes. The
/// generated protobuf types stay internal; `ONNXModel+Proto.swift` maps between the two.
public struct ONNXGraph: Sendable, Equatable {
    public var name: String
    public var nodes: [ONNXNode]
    public var initializers: [ONNXTensor]
    public var inputs: [ONNXValueInfo]
    public var outputs: [ONNXValueInfo]

    public init(name: String, nodes: [ONNXNode], initializers: [ONNXTensor], inputs: [ONNXValueInfo], outputs: [ONNXValueInfo]) {
        self.name = name
        self.nodes = nodes
        self.initializers = initializers
        self.inputs = inputs
        self.outputs = outputs
    }

    /// The initializer named `name`, if any.
    public func initializer(_ name: String) -> ONNXTensor? { initializers.first { $0.name == name } }
}

/// One operator of the standard `ai.onnx` set applied to named values.
public struct ONNXNode: Sendable, Equatable {
    public var name: String
    /// `Gemm`, `Relu`, `Tanh`, `Sigmoid`, `Softmax`.
    public var opType: String
    public var inputs: [String]
    public var outputs: [String]
    public var attributes: [ONNXAttribute]

    public init(name: String, opType: String, inputs: [String], outputs: [String], attributes: [ONNXAttribute] = []) {
        self.name = name
        self.opType = opType
        self.inputs = inputs
        self.outputs = outputs
        self.attributes = attributes
    }

    /// The value of the attribute named `name`, if the node has it.
    public func attribute(_ name: String) -> ONNXAttribute.Value? { attributes.first { $0.name == name }?.value }
}

/// A named attribute of a node (`transB = 1`, `axis = -1`).
public struct ONNXAttribute: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case int(Int64)
        case float(Float)
    }

    public var name: String
    public var value: Value

    public init(name: String, value: Value) {
        self.name = name
        self.value = value
    }
}

/// A float32 tensor stored in the model: its name, its shape (outermost first) and its values,
/// row-major.
public struct ONNXTensor: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    public var values: [Float]

    public init(name: String, shape: [Int], values: [Float]) {
        self.name = name
        self.shape = shape
        self.values = values
    }
}

/// A graph input or output: a float32 tensor with a name and a shape whose dimensions are fixed
/// sizes or named symbols (the batch size is the symbol `N`).
public struct ONNXValueInfo: Sendable, Equatable {
    public enum Dimension: Sendable, Equatable {
        case fixed(Int)
        case symbol(String)
    }

    public var name: String
    public var shape: [Dimension]

    public init(name: String, shape: [Dimension]) {
        self.name = name
        self.shape = shape
    }
}
