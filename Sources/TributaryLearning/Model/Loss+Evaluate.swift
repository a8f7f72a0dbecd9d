#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
import Darwin
#endif

/// The outcome of a loss over one batch.
public struct BatchLoss: Sendable, Equatable {
    /// Sum of the per-example losses.
    public var total: Double
    /// Examples whose prediction equals the label.
    public var correct: Int
    /// Σ |output − target| and Σ (output − target)² over the rows (a one-output mean-squared-error
    /// model only; 0 otherwise).
    public var absoluteError: Double = 0
    public var squaredError: Double = 0
}

extension Loss {
    /// Evaluates the loss on the workspace's output and labels; when `gradientScale` is not
    /// nil, writes `gradientScale · ∂ℓₙ/∂outputₙ` for every row into the last delta buffer.
    ///
    /// `classMask`, when given, restricts softmax cross-entropy (and predictions) to the classes
    /// marked true: the other logits are treated as −∞ and get no gradient (per-task logit masking).
    public func evaluate(_ workspace: Workspace, classMask: [Bool]? = nil, gradientScale: Float?) -> BatchLoss {
        let rows = workspace.rows, width = workspace.widths.last!
        let output = workspace.activations[workspace.widths.count - 1]
        let delta = workspace.deltas[workspace.widths.count - 1]
        if let classMask { precondition(classMask.count == width, "class mask has \(classMask.count) entries, model has \(width) outputs") }
        var total = 0.0, absoluteError = 0.0, squaredError = 0.0
        var correct = 0
        for row in 0..<rows {
            let z = output + row * width, d = delta + row * width
            let label = Int(workspace.labels[row])
            switch self {
            case .softmaxCrossEntropy:
                var best = -Float.infinity, argmax = 0
                for c in 0..<width where classMask?[c] ?? true {
                    if z[c] > best { best = z[c]; argmax = c }
                }
                var sum: Float = 0
                for c in 0..<width { let e = (classMask?[c] ?? true) ? expf(z[c] - best) : 0; d[c] = e; sum += e }
                let inverse = 1 / sum
                total += Double(-logf(max(d[label] * inverse, 1e-30)))
                if argmax == label { correct += 1 }
                if let scale = gradientScale {
                    for c in 0..<width { d[c] = d[c] * inverse * scale }
                    d[label] -= scale
                }
            case .binaryCrossEntropy, .meanSquaredError:
                // One MSE output regresses onto the row's target (a label's value unless the data
                // set has real-valued targets); it is "correct" when it rounds to the rounded target.
                let value = workspace.targets[row]
                if width == 1, self == .meanSquaredError {
                    if z[0].rounded() == value.rounded() { correct += 1 }
                    let error = Double(z[0]) - Double(value)
                    absoluteError += abs(error)
                    squaredError += error * error
                } else {
                    var predicted = 0
                    if width == 1 {
                        predicted = z[0] > 0 ? 1 : 0
                    } else {
                        for c in 1..<width where z[c] > z[predicted] { predicted = c }
                    }
                    if predicted == label { correct += 1 }
                }
                for c in 0..<width {
                    let target: Float = width == 1 ? (self == .meanSquaredError ? value : Float(label)) : (c == label ? 1 : 0)
                    let gradient: Float
                    if self == .binaryCrossEntropy {
                        total += Double(max(z[c], 0) - z[c] * target + log1pf(expf(-abs(z[c]))))
                        gradient = 1 / (1 + expf(-z[c])) - target
                    } else {
                        let error = z[c] - target
                        total += Double(0.5 * error * error)
                        gradient = error
                    }
                    if let scale = gradientScale { d[c] = gradient * scale }
                }
            }
        }
        return BatchLoss(total: total, correct: correct, absoluteError: absoluteError, squaredError: squaredError)
    }

    /// The predicted class of every row of the workspace's output.
    public func predictions(_ workspace: Workspace, classMask: [Bool]? = nil) -> [Int] {
        let rows = workspace.rows, width = workspace.widths.last!
        let output = workspace.activations[workspace.widths.count - 1]
        return (0..<rows).map { row in
            let z = output + row * width
            if width == 1 {
                if self == .binaryCrossEntropy { return z[0] > 0 ? 1 : 0 }
                // A regression output as a whole number (a diverged one as Int.min, never a trap).
                let value = z[0].rounded()
                return value.isFinite && abs(value) < 1e15 ? Int(value) : Int.min
            }
            var best = -Float.infinity, argmax = 0
            for c in 0..<width where classMask?[c] ?? true {
                if z[c] > best { best = z[c]; argmax = c }
            }
            return argmax
        }
    }
}
