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
        var total = 0.0
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
                var predicted = 0
                if width == 1 {
                    predicted = self == .binaryCrossEntropy ? (z[0] > 0 ? 1 : 0) : Int(z[0].rounded())
                } else {
                    for c in 1..<width where z[c] > z[predicted] { predicted = c }
                }
                if predicted == label { correct += 1 }
                for c in 0..<width {
                    let target: Float = width == 1 ? Float(label) : (c == label ? 1 : 0)
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
        return BatchLoss(total: total, correct: correct)
    }

    /// The predicted class of every row of the workspace's output.
    public func predictions(_ workspace: Workspace, classMask: [Bool]? = nil) -> [Int] {
        let rows = workspace.rows, width = workspace.widths.last!
        let output = workspace.activations[workspace.widths.count - 1]
        return (0..<rows).map { row in
            let z = output + row * width
            if width == 1 {
                return self == .binaryCrossEntropy ? (z[0] > 0 ? 1 : 0) : Int(z[0].rounded())
            }
            var best = -Float.infinity, argmax = 0
            for c in 0..<width where classMask?[c] ?? true {
                if z[c] > best { best = z[c]; argmax = c }
            }
            return argmax
        }
    }
}
