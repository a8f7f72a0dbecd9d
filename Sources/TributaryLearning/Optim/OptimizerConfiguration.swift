/// Which optimizer a model trains with, and its hyper-parameters. Persisted in checkpoints.
public enum OptimizerConfiguration: Sendable, Codable, Equatable, Hashable {
    case sgd(SGD)
    case adam(Adam)

    /// The optimizer this configuration describes, validated.
    public func makeOptimizer() throws -> any Optimizer {
        switch self {
        case .sgd(let sgd): try sgd.validate(); return sgd
        case .adam(let adam): try adam.validate(); return adam
        }
    }

    public var learningRate: Float {
        get {
            switch self {
            case .sgd(let sgd): sgd.learningRate
            case .adam(let adam): adam.learningRate
            }
        }
        set {
            switch self {
            case .sgd(var sgd): sgd.learningRate = newValue; self = .sgd(sgd)
            case .adam(var adam): adam.learningRate = newValue; self = .adam(adam)
            }
        }
    }
}

/// Optimizer state that persists across jobs: the step count and named per-parameter slots
/// (`momentum` for SGD, `m` and `v` for Adam), each as long as the parameter vector.
public struct OptimizerState: Sendable, Equatable, Hashable {
    public var step: Int
    public var slots: [String: [Float]]

    public init(step: Int = 0, slots: [String: [Float]] = [:]) {
        self.step = step
        self.slots = slots
    }
}

/// An optimizer over a flat parameter buffer. It defines its state and one update rule;
/// frozen parameters are simply left out of `ranges`.
public protocol Optimizer: Sendable {
    var learningRate: Float { get }
    /// A fresh state for `parameterCount` parameters.
    func newState(parameterCount: Int) -> OptimizerState
    /// Applies one update to the parameters in `ranges`.
    func apply(
        gradient: UnsafeBufferPointer<Float>, to parameters: UnsafeMutableBufferPointer<Float>,
        state: inout OptimizerState, ranges: [Range<Int>])
    /// The largest diagonal curvature h for which this optimizer's explicit step on ½h(θ − a)²
    /// stays stable. Quadratic penalties (EWC, FedProx) cap their per-parameter weight here so a
    /// large λ cannot make training diverge.
    var stableCurvature: Float { get }
}

extension Optimizer {
    /// Checks what every optimizer shares: a positive, finite learning rate and a finite weight
    /// decay ≥ 0. `name` starts the message (`sgd`, `adam`).
    func validateStep(name: String, weightDecay: Float) throws {
        guard learningRate > 0, learningRate.isFinite else {
            throw LearningError(.invalidConfiguration, "\(name): learning rate must be positive, got \(learningRate)")
        }
        guard weightDecay >= 0, weightDecay.isFinite else {
            throw LearningError(.invalidConfiguration, "\(name): weight decay must be ≥ 0, got \(weightDecay)")
        }
    }

    /// Checks the state belongs to this optimizer and this many parameters.
    func validate(state: OptimizerState, parameterCount: Int, slotNames: [String]) throws {
        for name in slotNames {
            guard let slot = state.slots[name] else {
                throw LearningError(.shapeMismatch, "optimizer state has no '\(name)' slot (has \(state.slots.keys.sorted()))")
            }
            guard slot.count == parameterCount else {
                throw LearningError(
                    .shapeMismatch, "optimizer slot '\(name)' has \(slot.count) values, the model has \(parameterCount) parameters")
            }
        }
    }
}
