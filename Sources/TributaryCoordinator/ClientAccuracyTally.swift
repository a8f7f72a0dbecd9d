/// The clients' own accuracy reports for a round, example-weighted, in O(1) memory:
/// `eval.accuracy.before` / `eval.accuracy` when an Update carries them (held-out data on the
/// device), else `train.accuracy.before` / `train.accuracy` (the new local data, before and after
/// the local job). "Before" is the round's base model, "after" the client's trained model.
struct ClientAccuracyTally: Sendable, Equatable {
    private(set) var weightedBefore = 0.0
    private(set) var weightedAfter = 0.0
    private(set) var examples = 0

    mutating func add(metrics: [String: Double], examples count: Int) {
        let pair = Self.pair(metrics, "eval.accuracy") ?? Self.pair(metrics, "train.accuracy")
        guard let (before, after) = pair, count > 0 else { return }
        weightedBefore += before * Double(count)
        weightedAfter += after * Double(count)
        examples += count
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
