import Foundation
import TributaryLearning

extension ONNXModel {
    /// The graph input: float32 [N, inputSize] raw features (any standardiser is folded in).
    public static let featuresName = "features"
    /// Graph output of a classifier: the last layer's output, [N, outputs].
    public static let logitsName = "logits"
    /// Graph output of a classifier: softmax of the logits (softmax cross-entropy) or their
    /// element-wise sigmoid (binary cross-entropy), [N, outputs].
    public static let probabilitiesName = "probabilities"
    /// The one graph output of a regression model (mean squared error), [N, outputs].
    public static let predictionName = "prediction"

    /// The graph outputs of a model trained with `loss`, in order.
    public static func outputNames(for loss: Loss) -> [String] {
        loss == .meanSquaredError ? [predictionName] : [logitsName, probabilitiesName]
    }

    /// The ONNX form of a Tributary model: `Gemm` (transB = 1, for the [out, in] weight layout)
    /// and the layer's activation per dense layer, `standardizer` folded into the first layer's
    /// weights (``StandardizerFolding``), then `Softmax` (axis −1) or `Sigmoid` for the
    /// probabilities of a classifier; a regression model's last layer is its `prediction`.
    ///
    /// - Parameters:
    ///   - parameters: the flat parameter buffer in `spec.parameterLayout` order (a checkpoint's
    ///     `parameters`, `Sequential.parameters`).
    ///   - standardizer: the preprocessing the model was trained with, applied to raw features
    ///     before the first layer; nil when the model takes its features as given.
    /// - Throws: `ONNXError.unexportable` naming what does not fit and its value.
    public init(exporting spec: ModelSpec, parameters: [Float], standardizer: Standardizer?, options: ONNXExportOptions = ONNXExportOptions()) throws {
        do {
            try spec.validate()
        } catch let error as LearningError {
            throw ONNXError(.unexportable, error.reason)
        }
        let layout = spec.parameterLayout
        guard parameters.count == layout.totalCount else {
            throw ONNXError(.unexportable, "parameters: \(parameters.count) given, the model spec needs \(layout.totalCount)")
        }
        if let bad = parameters.firstIndex(where: { !$0.isFinite }) {
            throw ONNXError(.unexportable, "parameter \(layout.name(ofFlatIndex: bad) ?? String(bad)) is \(parameters[bad])")
        }
        if let standardizer { try StandardizerFolding.validate(standardizer, inputSize: spec.inputSize) }
        try options.validate(inputSize: spec.inputSize)

        let graph = Self.graph(spec: spec, parameters: parameters, standardizer: standardizer)
        self.init(
            producerVersion: options.producerVersion, modelVersion: Int64(options.modelVersion),
            docString: Self.docString(spec: spec, standardizer: standardizer), graph: graph,
            metadata: try Self.metadata(spec: spec, standardizer: standardizer, options: options))
    }

    /// The nodes, initializers, input and outputs of `spec` with `parameters`.
    static func graph(spec: ModelSpec, parameters: [Float], standardizer: Standardizer?) -> ONNXGraph {
        let batch = ONNXValueInfo.Dimension.symbol("N")
        var nodes: [ONNXNode] = [], initializers: [ONNXTensor] = []
        var value = featuresName
        let entries = spec.parameterLayout.entries
        // The last layer's output is the model's logits (classifiers) or prediction (regression).
        let final = spec.loss == .meanSquaredError ? predictionName : logitsName
        for (index, layer) in spec.layers.enumerated() {
            let name = "dense\(index + 1)", last = index == spec.layers.count - 1
            let weight = entries[2 * index], bias = entries[2 * index + 1]
            var w = Array(parameters[weight.range]), b = Array(parameters[bias.range])
            if index == 0, let standardizer { (w, b) = StandardizerFolding.fold(weight: w, bias: b, standardizer: standardizer) }
            initializers += [ONNXTensor(name: weight.name, shape: weight.shape, values: w), ONNXTensor(name: bias.name, shape: bias.shape, values: b)]
            let linear = last && layer.activation == .identity ? final : "\(name).linear"
            nodes.append(ONNXNode(
                name: "\(name).gemm", opType: "Gemm", inputs: [value, weight.name, bias.name], outputs: [linear],
                attributes: [ONNXAttribute(name: "transB", value: .int(1))]))
            value = linear
            if let op = layer.activation.onnxOperator {
                let output = last ? final : "\(name).output"
                nodes.append(ONNXNode(name: "\(name).\(layer.activation.rawValue)", opType: op, inputs: [value], outputs: [output]))
                value = output
            }
        }
        switch spec.loss {
        case .softmaxCrossEntropy:
            nodes.append(ONNXNode(
                name: "softmax", opType: "Softmax", inputs: [logitsName], outputs: [probabilitiesName],
                attributes: [ONNXAttribute(name: "axis", value: .int(-1))]))
        case .binaryCrossEntropy:
            nodes.append(ONNXNode(name: "sigmoid", opType: "Sigmoid", inputs: [logitsName], outputs: [probabilitiesName]))
        case .meanSquaredError:
            break
        }
        return ONNXGraph(
            name: "tributary", nodes: nodes, initializers: initializers,
            inputs: [ONNXValueInfo(name: featuresName, shape: [batch, .fixed(spec.inputSize)])],
            outputs: outputNames(for: spec.loss).map { ONNXValueInfo(name: $0, shape: [batch, .fixed(spec.outputSize)]) })
    }

    private static func docString(spec: ModelSpec, standardizer: Standardizer?) -> String {
        let widths = ([spec.inputSize] + spec.layers.map(\.units)).map(String.init).joined(separator: "-")
        let preprocessing = standardizer == nil ? "features as given" : "standardizer folded into dense1: feed raw features"
        return "Tributary MLP \(widths), loss \(spec.loss.rawValue); input '\(featuresName)' [N, \(spec.inputSize)] float32 (\(preprocessing)); "
            + "outputs \(outputNames(for: spec.loss).map { "'\($0)'" }.joined(separator: ", ")) [N, \(spec.outputSize)]"
    }

    /// `tributary.version`, `tributary.model_spec` (the spec as JSON, as in checkpoints),
    /// `tributary.model_version`, `tributary.preprocessing` (with `tributary.standardizer`, the
    /// folded mean and std as JSON) and `tributary.feature_names` (a JSON array) when given.
    private static func metadata(spec: ModelSpec, standardizer: Standardizer?, options: ONNXExportOptions) throws -> [(key: String, value: String)] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func json(_ value: some Encodable) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
        var metadata: [(key: String, value: String)] = [
            ("tributary.version", options.producerVersion),
            ("tributary.model_spec", try json(spec)),
            ("tributary.model_version", String(options.modelVersion)),
        ]
        if let standardizer {
            metadata.append(("tributary.preprocessing", "standardizer folded into dense1; feed raw features"))
            metadata.append(("tributary.standardizer", try json(standardizer)))
        } else {
            metadata.append(("tributary.preprocessing", "none; features are fed as given"))
        }
        if let names = options.featureNames { metadata.append(("tributary.feature_names", try json(names))) }
        return metadata
    }
}

extension Activation {
    /// The ONNX operator applying this activation; nil for identity (no node).
    var onnxOperator: String? {
        switch self {
        case .identity: nil
        case .relu: "Relu"
        case .tanh: "Tanh"
        case .sigmoid: "Sigmoid"
        }
    }
}
