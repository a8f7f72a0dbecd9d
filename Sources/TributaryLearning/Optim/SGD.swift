/// Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay,
/// with the update rule of PyTorch's `torch.optim.SGD`:
/// g ← g + wd·θ;  v ← μv + g;  θ ← θ − lr·(nesterov ? g + μv : v).
public struct SGD: Sendable, Codable, Equatable, Hashable, Optimizer {
    public var learningRate: Float
    public var momentum: Float
    public var nesterov: Bool
    public var weightDecay: Float

    public init(learningRate: Float, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
    }

    public func validate() throws {
        try validateStep(name: "sgd", weightDecay: weightDecay)
        guard (0..<1).contains(momentum) else {
            throw LearningError(.invalidConfiguration, "sgd: momentum must be in [0, 1), got \(momentum)")
        }
        guard !nesterov || momentum > 0 else {
            throw LearningError(.invalidConfiguration, "sgd: nesterov needs momentum > 0, got \(momentum)")
        }
    }

    public func newState(parameterCount: Int) -> OptimizerState {
        momentum > 0 ? OptimizerState(slots: ["momentum": [Float](repeating: 0, count: parameterCount)]) : OptimizerState()
    }

    public var stableCurvature: Float { 1 / learningRate }

    public func apply(
        gradient: UnsafeBufferPointer<Float>, to parameters: UnsafeMutableBufferPointer<Float>,
        state: inout OptimizerState, ranges: [Range<Int>]
    ) {
        state.step += 1
        let lr = learningRate, mu = momentum, wd = weightDecay
        guard mu > 0 else {
            for range in ranges {
                for j in range { parameters[j] -= lr * (gradient[j] + wd * parameters[j]) }
            }
            return
        }
        var velocity = state.slots.removeValue(forKey: "momentum") ?? [Float](repeating: 0, count: parameters.count)
        velocity.withUnsafeMutableBufferPointer { v in
            for range in ranges {
                for j in range {
                    let g = gradient[j] + wd * parameters[j]
                    v[j] = mu * v[j] + g
                    parameters[j] -= lr * (nesterov ? g + mu * v[j] : v[j])
                }
            }
        }
        state.slots["momentum"] = velocity
    }
}
