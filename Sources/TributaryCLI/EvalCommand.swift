import ArgumentParser
import Foundation
import TributaryLearning

/// `tributary eval`: accuracy and loss of a checkpoint on a CSV, and stability against a parent.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Evaluate a checkpoint on labelled data.")

    @Option(help: "The checkpoint to evaluate.") var checkpoint: String
    @Option(help: "CSV of labelled examples.") var data: String
    @Option(help: "A parent checkpoint: also report stability (predictions unchanged).") var parent: String?
    @OptionGroup(title: "Data") var dataOptions: DataOptions

    func run() throws {
        BLAS.setThreadCount(1)
        let (loaded, digest) = try CheckpointStore.load(from: checkpoint)
        let model = try loaded.model()
        let classCount = loaded.spec.outputSize > 1 ? loaded.spec.outputSize : 2
        let dataset = try dataOptions.load(data, classCount: classCount, for: loaded)
        let result = Evaluation.evaluate(model, on: dataset)
        print("\(checkpoint): generation \(loaded.lineage.generation), \(loaded.lineage.examplesSeen) examples seen, sha256 \(digest.prefix(16))…")
        if let rmse = result.rootMeanSquaredError, let mae = result.meanAbsoluteError {
            // A regression model: errors in the target's units; predicting the mean is the floor to beat.
            print(String(format: "RMSE %.4g  MAE %.4g  (predicting the mean: RMSE %.4g)  loss %.4f  on %d examples", rmse, mae,
                         Evaluation.constantPredictorRMSE(on: dataset), result.loss, result.count))
            return
        }
        print(String(format: "accuracy %.2f%%  loss %.4f  on %d examples", result.accuracy * 100, result.loss, result.count))
        let predictions = Evaluation.predictions(model, on: dataset)
        for label in dataset.classes {
            let rows = dataset.labels.indices.filter { dataset.labels[$0] == label }
            let correct = rows.filter { predictions[$0] == Int(label) }.count
            print(String(format: "  class %2d  %5.1f%%  (%d)", label, Double(correct) / Double(rows.count) * 100, rows.count))
        }
        if let parent {
            let parentModel = try CheckpointStore.load(from: parent).checkpoint.model()
            guard parentModel.spec.inputSize == model.spec.inputSize else {
                throw ValidationError("--parent \(parent): takes \(parentModel.spec.inputSize) features, the checkpoint \(model.spec.inputSize)")
            }
            print(String(format: "stability vs %@: %.2f%% of predictions unchanged", parent, Evaluation.stability(parent: parentModel, candidate: model, on: dataset) * 100))
        }
    }
}
