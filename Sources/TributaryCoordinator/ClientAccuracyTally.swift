import TributaryLearning

/// The clients' own accuracy reports for a round, example-weighted, in O(1) memory:
/// `eval.accuracy.before` / `eval.accuracy` when an Update carries them (held-out data on the
/// device), else `train.accuracy.before` / `train.accuracy` (the new local data, before and after
/// the local job). "Before" is the round's base model, "after" the client's trained model.
/// A regression fleet's `train.rmse.before` / `train.rmse` (and `train.rmse.constant`, the RMSE of
/// predicting the data's mean) are pooled as mean squared errors: √(Σ n·rmse² / Σ n).
struct ClientAccuracyTally: Sendable, Equatable {
    private(set) var weightedBefore = 0.0
    private(set) var weightedAfter = 0.0
    private(set) var examples = 0
    private var squaredBefore = 0.0, squaredAfter = 0.0, squaredConstant = 0.0
    private var errorExamples = 0, constantExamples = 0

    mutating func add(metrics: [String: Double], examples count: Int) {
        addError(metrics: metrics, examples: count)
        let pair = Self.pair(metrics, "eval.accuracy") ?? Self.pair(metrics, "train.accuracy")
        guard let (before, after) = pair, count > 0 else { return }
        weightedBefore += before * Double(count)
        weightedAfter += after * Double(count)
        examples += count
    }

    private mutating func addError(metrics: [String: Double], examples count: Int) {
        guard count > 0, let before = metrics["train.rmse.before"], let after = metrics["train.rmse"],
              before.isFinite, after.isFinite, before >= 0, after >= 0 else { return }
        squaredBefore += before * before * Double(count)
        squaredAfter += after * after * Double(count)
        errorExamples += count
        if let constant = metrics["train.rmse.constant"], constant.isFinite, constant >= 0 {
            squaredConstant += constant * constant * Double(count)
            constantExamples += count
        }
    }

    /// A regression fleet's pooled (parent, candidate) RMSE, or nil when no update reported it.
    var error: PromotionGate.ClientError? {
        guard errorExamples > 0 else { return nil }
        let n = Double(errorExamples)
        return PromotionGate.ClientError(
            parent: (squaredBefore / n).squareRoot(), candidate: (squaredAfter / n).squareRoot(),
            constant: constantExamples == errorExamples ? (squaredConstant / Double(constantExamples)).squareRoot() : nil)
    }

    /// (parent, candidate) accuracy, or nil when no update reported both numbers.
    var accuracy: (parent: Double, candidate: Double)? {
        examples > 0 ? (weightedBefore / Double(examples), weightedAfter / Double(examples)) : nil
    }

    private static func pair(_ metrics: [String: Double], _ key: String) -> (Double, Double)? {
        guard let before = metrics[key + ".before"], let after = metrics[key], before.isFinite, after.isFinite,
              (0...1).contains(before), (0...1).contains(after) else { return nil }
        return (before, after)
    }
}
