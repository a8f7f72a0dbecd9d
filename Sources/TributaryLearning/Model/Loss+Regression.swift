extension ModelSpec {
    /// A regression model: one output trained with mean squared error towards a real value (the
    /// data set's `targets`, or a label's value). Its reports and the promotion gate use MAE and
    /// RMSE (lower is better) besides accuracy.
    public var isRegression: Bool { loss == .meanSquaredError && outputSize == 1 }

    /// How many classes a classifier tells apart: its outputs, or 2 for a single output (nil for a
    /// regression model).
    public var classCount: Int? {
        if isRegression { return nil }
        return loss == .softmaxCrossEntropy || outputSize > 1 ? outputSize : 2
    }
}
