import TributaryLearning

extension Array where Element == ContinualTask {
    /// True when the tasks' labels are real-valued targets (a regression sequence).
    public var isRegression: Bool { first?.train.isRegression ?? false }

    /// The model the tasks are learnt with: an MLP over their features with one output per class
    /// (the largest class + 1), or one mean-squared-error output for regression.
    public func modelSpec(hidden: [Int]) throws -> ModelSpec {
        let inputs = self[0].train.featureCount
        if isRegression { return try ModelSpec.mlp(input: inputs, hidden: hidden, outputs: 1, loss: .meanSquaredError) }
        return try ModelSpec.mlp(input: inputs, hidden: hidden, outputs: Int(flatMap(\.classes).max() ?? 1) + 1)
    }

    /// What the reports show per task: accuracy, or RMSE for regression (lower is better).
    public func score(_ model: Sequential, on task: ContinualTask) -> Double {
        let result = Evaluation.evaluate(model, on: task.test)
        return result.rootMeanSquaredError ?? result.accuracy
    }

    /// The mean absolute error of `model` on every task's test set (regression only, else nil).
    public func meanAbsoluteErrors(_ model: Sequential) -> [Double]? {
        guard isRegression else { return nil }
        return map { Evaluation.evaluate(model, on: $0.test).meanAbsoluteError ?? 0 }
    }

    /// The score matrix as text: percent accuracy with ACC/BWT/FWT, or RMSE with its analogues.
    public func render(_ matrix: AccuracyMatrix, title: String) -> String {
        isRegression ? matrix.renderedError(title: title) : matrix.rendered(title: title)
    }
}

extension Checkpoint {
    /// Starts a regression model's output at the mean of `data`'s targets (its output bias), so
    /// training learns the variation around the mean instead of spending its first rounds walking
    /// the bias from 0 to a value such as 7 mmol/L. Does nothing for a classifier.
    public mutating func centreRegressionOutput(on data: Dataset) {
        guard spec.isRegression, !data.isEmpty, let last = spec.layerNames.last,
              let bias = spec.parameterLayout[last + ".bias"] else { return }
        let mean = (0..<data.count).reduce(0.0) { $0 + Double(data.target($1)) } / Double(data.count)
        parameters[bias.offset] = Float(mean)
    }
}
