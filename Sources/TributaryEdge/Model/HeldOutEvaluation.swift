import TributaryLearning
import TributaryWire

/// A candidate measured on the edge's local held-out set, as the ``EvaluateResult`` the
/// coordinator asked for: correct/total per class. Pure; the agent reads the set.
public enum HeldOutEvaluation {
    /// The most held-out examples one evaluation reads (the newest).
    public static let maximumExamples = 10_000

    /// Evaluates `candidate` (its own preprocessing applied to the raw held-out rows) and counts
    /// right and total predictions per true label. A set that cannot be read, an empty set or a
    /// regression model gives a result without classes whose reason says why.
    public static func result(for request: EvaluateRequest, candidate: Checkpoint, heldOut: Result<Dataset?, any Error>) -> EvaluateResult {
        var result = EvaluateResult(evaluationID: request.evaluationID, version: request.version, classes: [:])
        do {
            guard let raw = try heldOut.get() else {
                result.reason = "this edge keeps no held-out set"
                return result
            }
            guard !raw.isEmpty else {
                result.reason = "no held-out examples on this edge (feedback.held_out_fraction 0, or no labelled feedback yet)"
                return result
            }
            guard !candidate.spec.isRegression else {
                result.reason = "a regression model has no classes to count"
                return result
            }
            let data = try candidate.preprocessing.apply(raw, source: "the held-out set")
            let predicted = Evaluation.predictions(try candidate.model(), on: data)
            for (label, guess) in zip(data.labels, predicted) {
                let key = UInt32(clamping: label)
                var count = result.classes[key] ?? EvaluateResult.Count(correct: 0, total: 0)
                count.total += 1
                if guess == Int(label) { count.correct += 1 }
                result.classes[key] = count
            }
        } catch {
            result.reason = String(String(describing: error).utf8.prefix(240)) ?? "the held-out set could not be evaluated"
        }
        return result
    }
}
