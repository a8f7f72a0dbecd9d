import Foundation
import TributaryFeedback
import TributaryLearning

/// The model an edge serves: one global version's parameters and architecture, immutable. The
/// agent swaps a whole `ServedModel` in its ``ServingSlot``, so a request sees the old model or
/// the new one, never half of either.
public struct ServedModel: Sendable, Equatable {
    /// The global version (0: a checkpoint that holds no released version yet).
    public let version: UInt64
    public let spec: ModelSpec
    /// The model's feature schema and standardiser: raw instances become its input here.
    public let preprocessing: Preprocessing
    let model: Sequential

    /// Rows per forward pass, as in evaluation.
    static let chunk = 128

    /// - Throws: `LearningError` when the checkpoint's parameters do not fit its spec.
    public init(checkpoint: Checkpoint) throws {
        version = ModelAdoption.version(of: checkpoint)
        spec = checkpoint.spec
        preprocessing = checkpoint.preprocessing
        model = try checkpoint.model()
    }

    /// Features each instance must have.
    public var featureCount: Int { spec.inputSize }

    var parameters: [Float] { model.parameters }

    /// Every model input on the serving path passes here, once: the instances checked (count
    /// and finite values, errors naming the instance, both counts or the value) and laid out
    /// row after row, and put through the model's own preprocessing (the checkpoint's
    /// standardiser, `Standardizer.append`, as `Preprocessing.apply(row:)` does) here, so HTTP, the library call and the
    /// offline batch command all see the model exactly as training did.
    public func prepare(_ instances: [[Float]]) throws -> [Float] {
        var rows: [Float] = []
        rows.reserveCapacity(instances.count * featureCount)
        for (index, features) in instances.enumerated() {
            let name = instances.count == 1 ? "features" : "instances[\(index)]"
            guard features.count == featureCount else {
                throw FeedbackError(.invalidRecord, "\(name): \(features.count) features, the model (version \(version)) takes \(featureCount)")
            }
            if let bad = features.firstIndex(where: { !$0.isFinite }) {
                throw FeedbackError(.invalidRecord, "\(name)[\(bad)]: \(features[bad]) is not a finite number")
            }
            if let standardizer = preprocessing.standardizer {
                standardizer.append(features, to: &rows)
            } else {
                rows += features
            }
        }
        return rows
    }

    /// The class and the probabilities of each instance (no logging: ``Predictor`` logs).
    public func outputs(_ instances: [[Float]]) throws -> [(predictedClass: Int32, probabilities: [Float])] {
        let rows = try prepare(instances)
        let count = instances.count, width = spec.outputSize
        guard count > 0 else { return [] }
        let workspace = Workspace(spec: spec, capacity: min(Self.chunk, count), forwardOnly: true)
        var outputs: [(predictedClass: Int32, probabilities: [Float])] = []
        outputs.reserveCapacity(count)
        for start in stride(from: 0, to: count, by: Self.chunk) {
            let batch = min(Self.chunk, count - start)
            rows.withUnsafeBufferPointer { source in
                workspace.input.update(from: source.baseAddress! + start * featureCount, count: batch * featureCount)
            }
            workspace.rows = batch
            model.forward(workspace)
            let classes = spec.loss.predictions(workspace)
            let output = workspace.output
            for row in 0..<batch {
                let logits = Array(output[(row * width)..<((row + 1) * width)])
                outputs.append((Int32(classes[row]), Self.probabilities(logits, loss: spec.loss)))
            }
        }
        return outputs
    }

    /// Softmax of the logits; for a one-output binary model [1 − p, p]; sigmoids for several
    /// binary outputs; a regression model's raw outputs.
    static func probabilities(_ logits: [Float], loss: Loss) -> [Float] {
        switch loss {
        case .softmaxCrossEntropy:
            let top = logits.max() ?? 0
            let exps = logits.map { expf($0 - top) }
            let sum = exps.reduce(0, +)
            return exps.map { $0 / sum }
        case .binaryCrossEntropy:
            let sigmoids = logits.map { 1 / (1 + expf(-$0)) }
            return sigmoids.count == 1 ? [1 - sigmoids[0], sigmoids[0]] : sigmoids
        default:
            return logits
        }
    }
}
