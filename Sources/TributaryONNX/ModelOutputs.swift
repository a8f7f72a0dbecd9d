#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
import Darwin
#endif
import TributaryLearning

/// What an exported graph computes, computed by Tributary itself: `standardizer` applied to the
/// raw features, the model's own forward pass, then the same head as the graph (softmax or
/// sigmoid probabilities for a classifier). The reference an ONNX runtime's results are checked
/// against (`tributary predict`, scripts/check-onnx.sh).
public struct ModelOutputs: Sendable, Equatable {
    public var rows: Int
    /// Outputs per row.
    public var width: Int
    /// The last layer's output, rows × width: a classifier's logits, a regression's prediction.
    public var outputs: [Float]
    /// A classifier's probabilities, rows × width; nil for a regression model.
    public var probabilities: [Float]?
    /// The class Tributary predicts for each row (`Evaluation.predictions`).
    public var classes: [Int]

    /// - Throws: `ONNXError.unexportable` when `features` does not have the model's width or
    ///   `standardizer` does not fit. Labels are not read.
    public init(model: Sequential, standardizer: Standardizer?, features: Dataset) throws {
        guard features.featureCount == model.spec.inputSize else {
            throw ONNXError(.unexportable, "data has \(features.featureCount) features per example, the model takes \(model.spec.inputSize)")
        }
        if let standardizer { try StandardizerFolding.validate(standardizer, inputSize: model.spec.inputSize) }
        let data = standardizer?.apply(features) ?? features
        let width = model.spec.outputSize, chunk = max(1, min(128, data.count))
        let workspace = Workspace(spec: model.spec, capacity: chunk, forwardOnly: true)
        var outputs: [Float] = [], classes: [Int] = []
        outputs.reserveCapacity(data.count * width)
        for start in stride(from: 0, to: data.count, by: chunk) {
            workspace.load(data, indices: start..<min(start + chunk, data.count))
            model.forward(workspace)
            outputs += workspace.output
            classes += model.spec.loss.predictions(workspace)
        }
        self.rows = data.count
        self.width = width
        self.outputs = outputs
        self.classes = classes
        self.probabilities = Self.probabilities(outputs, width: width, loss: model.spec.loss)
    }

    /// Softmax of each row (softmax cross-entropy), the element-wise sigmoid (binary
    /// cross-entropy), or nil (mean squared error): the graph's `probabilities`.
    static func probabilities(_ logits: [Float], width: Int, loss: Loss) -> [Float]? {
        switch loss {
        case .meanSquaredError:
            return nil
        case .binaryCrossEntropy:
            return logits.map { 1 / (1 + expf(-$0)) }
        case .softmaxCrossEntropy:
            var result = logits
            for row in stride(from: 0, to: logits.count, by: width) {
                let z = logits[row..<(row + width)], top = z.max()!
                var sum: Float = 0
                for c in 0..<width { result[row + c] = expf(z[row + c] - top); sum += result[row + c] }
                for c in 0..<width { result[row + c] /= sum }
            }
            return result
        }
    }
}
