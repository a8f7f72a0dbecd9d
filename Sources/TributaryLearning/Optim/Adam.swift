#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
import Darwin
#endif

/// Adam (Kingma & Ba 2015) with bias correction and optional L2 weight decay added to the
/// gradient, as PyTorch's `torch.optim.Adam`.
public struct Adam: Sendable, Codable, Equatable, Hashable, Optimizer {
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var weightDecay: Float

    public init(learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    public func validate() throws {
        try validateStep(name: "adam", weightDecay: weightDecay)
        for (name, beta) in [("beta1", beta1), ("beta2", beta2)] where !(0..<1).contains(beta) {
            throw LearningError(.invalidConfiguration, "adam: \(name) must be in [0, 1), got \(beta)")
        }
        guard epsilon > 0 else { throw LearningError(.invalidConfiguration, "adam: epsilon must be positive, got \(epsilon)") }
    }

    public func newState(parameterCount: Int) -> OptimizerState {
        OptimizerState(slots: ["m": [Float](repeating: 0, count: parameterCount), "v": [Float](repeating: 0, count: parameterCount)])
    }

    /// Adam normalises each coordinate's step, so no curvature makes it diverge.
    public var stableCurvature: Float { .infinity }

    public func apply(
        gradient: UnsafeBufferPointer<Float>, to parameters: UnsafeMutableBufferPointer<Float>,
        state: inout OptimizerState, ranges: [Range<Int>]
    ) {
        state.step += 1
        let t = Float(state.step)
        let correction1 = 1 - powf(beta1, t), correction2 = 1 - powf(beta2, t)
        var m = state.slots.removeValue(forKey: "m") ?? [Float](repeating: 0, count: parameters.count)
        var v = state.slots.removeValue(forKey: "v") ?? [Float](repeating: 0, count: parameters.count)
        m.withUnsafeMutableBufferPointer { m in
            v.withUnsafeMutableBufferPointer { v in
                for range in ranges {
                    for j in range {
                        let g = gradient[j] + weightDecay * parameters[j]
                        m[j] = beta1 * m[j] + (1 - beta1) * g
                        v[j] = beta2 * v[j] + (1 - beta2) * g * g
                        let mHat = m[j] / correction1, vHat = v[j] / correction2
                        parameters[j] -= learningRate * mHat / (vHat.squareRoot() + epsilon)
                    }
                }
            }
        }
        state.slots["m"] = m
        state.slots["v"] = v
    }
}
