import ArgumentParser
import TributaryLearning

/// `--fit-data FILE.csv` and `--feature-names a,b,…`: for a model without preprocessing of its
/// own (a checkpoint initialised without `tributary init --fit-data`), the standardiser an ONNX
/// export folds in and `tributary predict` applies, fitted here from the model's raw training
/// CSV (per-feature mean and std, as `Standardizer(fitting:)` does), and the features' names.
struct PreprocessingOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Fit a standardiser (per-feature mean and std) on this CSV — the data the model was trained on, raw — and apply it to the features first.",
        valueName: "FILE.csv"))
    var fitData: String?

    @Option(help: ArgumentHelp("The input features' names, comma-separated, in column order (written into the ONNX metadata).", valueName: "a,b,…"))
    var featureNames: String?

    /// True when neither option was given.
    var isEmpty: Bool { fitData == nil && featureNames == nil }

    /// The standardiser fitted on `--fit-data` (read with `data`'s header and label column), or nil.
    func standardizer(for spec: ModelSpec, data: DataOptions) throws -> Standardizer? {
        guard let fitData else { return nil }
        let sample: Dataset
        do {
            sample = try data.load(fitData, classCount: nil)
        } catch let error as LearningError {
            throw ValidationError("--fit-data: \(error.reason)")
        }
        guard sample.featureCount == spec.inputSize else {
            throw ValidationError("--fit-data \(fitData): \(sample.featureCount) features per row, the model takes \(spec.inputSize)")
        }
        return Standardizer(fitting: sample)
    }

    /// The names given with `--feature-names`, or nil.
    var names: [String]? {
        featureNames.map { $0.split(separator: ",", omittingEmptySubsequences: false).map { String($0) } }
    }
}
