import TributaryLearning

/// The coordinator's held-out data (CSV, label in the last column: a real number for a
/// regression model), loaded once at start.
struct HeldOutSets: Sendable {
    let sets: [(name: String, data: Dataset)]
    let newest: String?

    init(_ settings: CoordinatorConfiguration.EvaluationSettings, spec: ModelSpec) throws {
        var sets: [(name: String, data: Dataset)] = []
        for set in settings.heldOut {
            let data: Dataset
            do {
                var options = CSVLoader.Options(label: .last)
                options.realValuedLabel = spec.isRegression
                data = try CSVLoader.load(path: set.path, options: options)
                try data.validate(against: spec)
            } catch let error as LearningError {
                throw CoordinatorError(.startup, "evaluation.held_out '\(set.name)' (\(set.path)): \(error.reason)")
            }
            sets.append((set.name, data))
        }
        self.sets = sets
        newest = settings.newest
    }

    /// Each set under the parent and the candidate.
    func evaluate(parent: Sequential, candidate: Sequential) -> [PromotionGate.TaskEvaluation] {
        PromotionGate.evaluate(parent: parent, candidate: candidate, on: sets, newest: newest)
    }
}
