import TributaryLearning

/// Folds a standardiser x' = (x − mean) / std into the first dense layer, so the exported graph
/// takes raw features and has no preprocessing nodes:
///
///     W x' + b = W ((x − mean) / std) + b = W' x + b',  W'ᵢⱼ = Wᵢⱼ / stdⱼ,  b'ᵢ = bᵢ − Σⱼ W'ᵢⱼ meanⱼ.
///
/// W' is rounded to float32 first and b' is summed in double precision from that rounded W', so
/// the folded layer computes W'(x − mean) + b with one rounding of b'. What float32 cannot avoid is
/// the cancellation in W'x + b' when |mean| is large against std: about log₁₀(|mean| / std)
/// decimal digits of the ~7 are lost (a column with mean 1,000 and std 100 loses one).
public enum StandardizerFolding {
    /// Checks that `standardizer` fits a model taking `inputSize` features: one finite mean and one
    /// finite, positive std per feature; throws `unexportable` naming the feature and the value.
    public static func validate(_ standardizer: Standardizer, inputSize: Int) throws {
        guard standardizer.mean.count == inputSize, standardizer.std.count == inputSize else {
            throw ONNXError(
                .unexportable,
                "standardizer has \(standardizer.mean.count) means and \(standardizer.std.count) stds, the model takes \(inputSize) features")
        }
        for j in 0..<inputSize {
            guard standardizer.mean[j].isFinite else {
                throw ONNXError(.unexportable, "standardizer: mean of feature \(j) is \(standardizer.mean[j])")
            }
            guard standardizer.std[j].isFinite, standardizer.std[j] > 0 else {
                throw ONNXError(.unexportable, "standardizer: std of feature \(j) is \(standardizer.std[j]); it must be finite and positive")
            }
        }
    }

    /// The first layer's weight ([units, fanIn], row-major) and bias with `standardizer` folded in.
    /// `standardizer` must fit (``validate(_:inputSize:)``).
    public static func fold(weight: [Float], bias: [Float], standardizer: Standardizer) -> (weight: [Float], bias: [Float]) {
        let fanIn = standardizer.std.count, units = bias.count
        precondition(weight.count == units * fanIn, "fold: weight has \(weight.count) values, expected \(units) × \(fanIn)")
        var folded = weight, shifted = bias
        for i in 0..<units {
            var shift = 0.0
            for j in 0..<fanIn {
                let w = Float(Double(weight[i * fanIn + j]) / Double(standardizer.std[j]))
                folded[i * fanIn + j] = w
                shift += Double(w) * Double(standardizer.mean[j])
            }
            shifted[i] = Float(Double(bias[i]) - shift)
        }
        return (folded, shifted)
    }
}
