import ArgumentParser
import Foundation
import TributaryLearning
import TributaryONNX
import TributarySystem

/// `tributary predict`: what a checkpoint's model answers for each row of a CSV, as CSV — the
/// class and the probabilities (a regression model: its prediction), exactly as Tributary
/// computes them; scripts/check-onnx.sh compares an ONNX runtime's answers with these.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict", abstract: "Predict every row of a CSV with a checkpoint's model (class and probabilities, as CSV).",
        discussion: """
            Writes a header, then one line per row: row,class,p0,p1,… for a classifier (softmax or \
            sigmoid probabilities), row,class,y0,… for a regression model (its outputs). Values are \
            float32, printed so they read back exactly. The CSV's label column is read but not used.
            """)

    @Option(help: "The checkpoint whose model predicts.") var checkpoint: String
    @Option(help: "CSV of examples (feature columns and a label column, as for eval).") var data: String
    @Option(help: "Write the predictions here (default: standard output).") var out: String?
    @Flag(help: "Replace --out if it exists.") var force = false
    @OptionGroup(title: "Preprocessing") var preprocessing: PreprocessingOptions
    @OptionGroup(title: "Data (--data and --fit-data)") var dataOptions: DataOptions

    func run() throws {
        BLAS.setThreadCount(1)
        let loaded = try CheckpointStore.load(from: checkpoint).checkpoint
        let standardizer: Standardizer?
        do {
            standardizer = try ONNXModel.standardizer(of: loaded, given: try preprocessing.standardizer(for: loaded.spec, data: dataOptions))
        } catch let error as ONNXError {
            throw ValidationError("--fit-data: \(error.reason)")
        }
        let rows: Dataset
        do {
            rows = try dataOptions.load(data, classCount: nil, regression: loaded.spec.isRegression)
            try loaded.preprocessing.check(featureCount: rows.featureCount, source: data)
        } catch let error as LearningError {
            throw ValidationError("--data: \(error.reason)")
        }
        let outputs: ModelOutputs
        do {
            outputs = try ModelOutputs(model: try loaded.model(), standardizer: standardizer, features: rows)
        } catch let error as ONNXError {
            throw ValidationError("--data \(data): \(error.reason)")
        }
        let text = Self.render(outputs)
        guard let out else {
            print(text, terminator: "")
            return
        }
        try AtomicFile.write(Array(text.utf8), to: out, overwrite: force)
        let correct = zip(outputs.classes, rows.labels).filter { $0 == Int($1) }.count
        print(String(format: "wrote %d predictions to %@ (%.2f%% equal the CSV's labels)", outputs.rows, out, Double(correct) / Double(max(outputs.rows, 1)) * 100))
    }

    /// The CSV: `row,class,p0,…` (classifiers) or `row,class,y0,…` (regression).
    static func render(_ outputs: ModelOutputs) -> String {
        let values = outputs.probabilities ?? outputs.outputs
        let prefix = outputs.probabilities == nil ? "y" : "p"
        var text = "row,class," + (0..<outputs.width).map { "\(prefix)\($0)" }.joined(separator: ",") + "\n"
        for row in 0..<outputs.rows {
            let columns = values[(row * outputs.width)..<((row + 1) * outputs.width)].map { "\($0)" }
            text += "\(row),\(outputs.classes[row])," + columns.joined(separator: ",") + "\n"
        }
        return text
    }
}
