import TributaryLearning

/// The coordinator's held-out data (CSV, label in the last column: a real number for a
/// regression model), loaded once at start, raw: each evaluation applies the model's
/// preprocessing, as an edge does to its own data.
struct HeldOutSets: Sendable {
    struct Set: Sendable {
        var name: String
        var path: String
        var data: Dataset
        /// The header's feature names (nil when the file has none).
        var featureNames: [String]?
    }

    let sets: [Set]
    let newest: String?

    /// Reads every set (labels as real numbers when `regression`); `validate(against:)` checks
    /// them against the live model.
    init(_ settings: CoordinatorConfiguration.EvaluationSettings, regression: Bool) throws {
        sets = try settings.heldOut.map { set in
            do {
                var options = CSVLoader.Options(label: .last)
                options.realValuedLabel = regression
                return Set(name: set.name, path: set.path, data: try CSVLoader.load(path: set.path, options: options),
                           featureNames: try CSVLoader.featureNames(path: set.path, options: options))
            } catch let error as LearningError {
                throw CoordinatorError(.startup, "evaluation.held_out '\(set.name)' (\(set.path)): \(error.reason)")
            }
        }
        newest = settings.newest
    }

    /// Refuses a set the model cannot read: another feature count, other feature names (when
    /// both have names), labels outside the model's classes, non-finite values.
    func validate(against checkpoint: Checkpoint) throws {
        for set in sets {
            do {
                try checkpoint.preprocessing.check(featureCount: set.data.featureCount, names: set.featureNames, source: set.path)
                try set.data.validate(against: checkpoint.spec)
            } catch let error as LearningError {
                throw CoordinatorError(.startup, "evaluation.held_out '\(set.name)' (\(set.path)): \(error.reason)")
            }
        }
    }

    /// The held-out feature on the largest scale (largest |mean| + std), named by the header when
    /// it has names: evidence for the warning about a model without a standardiser.
    func widestFeature() -> (name: String, mean: Float, std: Float)? {
        var widest: (name: String, mean: Float, std: Float)?
        for set in sets {
            let stats = Standardizer(fitting: set.data)
            for j in 0..<set.data.featureCount where abs(stats.mean[j]) + stats.std[j] > widest.map({ abs($0.mean) + $0.std }) ?? -1 {
                widest = (set.featureNames?[j] ?? "column \(j + 1) of \(set.path)", stats.mean[j], stats.std[j])
            }
        }
        return widest
    }

    /// Each set under the parent and the candidate, as the candidate's preprocessing makes it
    /// (a round's candidate keeps its parent's preprocessing).
    func evaluate(parent: Checkpoint, candidate: Checkpoint) throws -> [PromotionGate.TaskEvaluation] {
        let inputs = try sets.map { (name: $0.name, data: try candidate.preprocessing.apply($0.data, source: $0.path)) }
        return PromotionGate.evaluate(parent: try parent.model(), candidate: try candidate.model(), on: inputs, newest: newest)
    }
}
