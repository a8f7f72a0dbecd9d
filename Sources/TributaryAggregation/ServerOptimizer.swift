/// The server's update from the aggregated delta Δ̄ₜ (Reddi et al. 2021, "Adaptive Federated
/// Optimization", Algorithm 2; FedAvgM after Hsu et al. 2019). Δ̄ₜ plays the role of a negative
/// pseudo-gradient, so every rule *adds* to θ.
///
/// - `fedAvg`:  θ ← θ + η Δ̄ (no state; η = 1 is plain FedAvg).
/// - `fedAvgM`: m ← β m + Δ̄;  θ ← θ + η m.
/// - `fedAdam`: m ← β₁ m + (1−β₁) Δ̄;  v ← β₂ v + (1−β₂) Δ̄²;  θ ← θ + η m / (√v + τ).
/// - `fedYogi`: m as FedAdam;  v ← v − (1−β₂) Δ̄² sign(v − Δ̄²);  θ ← θ + η m / (√v + τ).
///
/// As in the paper there is no bias correction, and v starts at τ² (the paper's v₋₁ ≥ τ²).
public enum ServerOptimizer: Sendable, Equatable, Hashable, Codable {
    case fedAvg(learningRate: Float = 1)
    case fedAvgM(learningRate: Float = 1, momentum: Float = 0.9)
    case fedAdam(learningRate: Float = 0.01, beta1: Float = 0.9, beta2: Float = 0.99, tau: Float = 1e-3)
    case fedYogi(learningRate: Float = 0.01, beta1: Float = 0.9, beta2: Float = 0.99, tau: Float = 1e-3)

    public var learningRate: Float {
        switch self {
        case .fedAvg(let lr), .fedAvgM(let lr, _), .fedAdam(let lr, _, _, _), .fedYogi(let lr, _, _, _): lr
        }
    }

    /// Throws `invalidConfiguration` naming the setting and its value.
    public func validate() throws {
        func check(_ ok: Bool, _ what: String, _ value: Float, _ rule: String) throws {
            guard ok else { throw AggregationError(.invalidConfiguration, "server optimizer: \(what) is \(value), must be \(rule)") }
        }
        let lr = learningRate
        try check(lr.isFinite && lr > 0, "learningRate", lr, "finite and > 0")
        switch self {
        case .fedAvg: break
        case .fedAvgM(_, let momentum):
            try check(momentum >= 0 && momentum < 1, "momentum", momentum, "in [0, 1)")
        case .fedAdam(_, let beta1, let beta2, let tau), .fedYogi(_, let beta1, let beta2, let tau):
            try check(beta1 >= 0 && beta1 < 1, "beta1", beta1, "in [0, 1)")
            try check(beta2 >= 0 && beta2 < 1, "beta2", beta2, "in [0, 1)")
            try check(tau.isFinite && tau > 0, "tau", tau, "finite and > 0")
        }
    }

    /// Initial state for a model of `parameterCount` parameters: empty for FedAvg, m = 0 for
    /// FedAvgM, m = 0 and v = τ² for FedAdam and FedYogi.
    public func newState(parameterCount: Int) -> ServerOptimizerState {
        switch self {
        case .fedAvg:
            ServerOptimizerState()
        case .fedAvgM:
            ServerOptimizerState(momentum: [Float](repeating: 0, count: parameterCount))
        case .fedAdam(_, _, _, let tau), .fedYogi(_, _, _, let tau):
            ServerOptimizerState(
                momentum: [Float](repeating: 0, count: parameterCount),
                secondMoment: [Float](repeating: tau * tau, count: parameterCount))
        }
    }
}
