/// An ONNX model as plain values: the standard's ModelProto, limited to what Tributary writes.
///
/// Built from a Tributary model by ``init(exporting:parameters:standardizer:options:)``, written
/// with ``serializedBytes()`` (a standard ModelProto any ONNX runtime loads) and read back with
/// ``init(serializedBytes:)``.
public struct ONNXModel: Sendable, Equatable {
    /// The ONNX IR version the file declares (8: understood by onnxruntime 1.10 and later).
    public static let irVersion: Int64 = 8
    /// The version of the standard operator set (`ai.onnx`) the graph uses.
    public static let opsetVersion: Int64 = 13
    /// `ModelProto.producer_name`.
    public static let producerName = "tributary"

    public var irVersion: Int64
    public var opsetVersion: Int64
    public var producerName: String
    public var producerVersion: String
    /// The registry version the model was exported from (0: none known).
    public var modelVersion: Int64
    public var docString: String
    public var graph: ONNXGraph
    /// `ModelProto.metadata_props`, in order; keys are distinct.
    public var metadata: [(key: String, value: String)]

    public init(
        irVersion: Int64 = ONNXModel.irVersion, opsetVersion: Int64 = ONNXModel.opsetVersion,
        producerName: String = ONNXModel.producerName, producerVersion: String, modelVersion: Int64, docString: String,
        graph: ONNXGraph, metadata: [(key: String, value: String)]
    ) {
        self.irVersion = irVersion
        self.opsetVersion = opsetVersion
        self.producerName = producerName
        self.producerVersion = producerVersion
        self.modelVersion = modelVersion
        self.docString = docString
        self.graph = graph
        self.metadata = metadata
    }

    /// The metadata value stored under `key`, if any.
    public func metadata(_ key: String) -> String? { metadata.first { $0.key == key }?.value }

    public static func == (lhs: ONNXModel, rhs: ONNXModel) -> Bool {
        lhs.irVersion == rhs.irVersion && lhs.opsetVersion == rhs.opsetVersion && lhs.producerName == rhs.producerName
            && lhs.producerVersion == rhs.producerVersion && lhs.modelVersion == rhs.modelVersion
            && lhs.docString == rhs.docString && lhs.graph == rhs.graph
            && lhs.metadata.map(\.key) == rhs.metadata.map(\.key) && lhs.metadata.map(\.value) == rhs.metadata.map(\.value)
    }
}

extension ONNXModel {
    /// One line for a person: `MLP 5-16-3, standardizer folded in, outputs logits, probabilities`.
    public var summary: String {
        var widths: [Int] = []
        if case .fixed(let width)? = graph.inputs.first?.shape.last { widths.append(width) }
        widths += graph.initializers.filter { $0.name.hasSuffix(".bias") }.compactMap(\.shape.first)
        let preprocessing = metadata("tributary.standardizer") == nil ? "no preprocessing" : "standardizer folded in"
        return "MLP \(widths.map(String.init).joined(separator: "-")), \(preprocessing), outputs \(graph.outputs.map(\.name).joined(separator: ", "))"
    }
}
