extension ServerOptimizer {
    /// Applies one server step: θ ← θ + (the rule's update from Δ̄), advancing `state`.
    /// Throws `stateMismatch` (and changes nothing) when a buffer does not fit θ.
    public func apply(delta: [Float], to parameters: inout [Float], state: inout ServerOptimizerState) throws {
        let count = parameters.count
        guard delta.count == count else {
            throw AggregationError(.stateMismatch, "server step: delta has \(delta.count) values, parameters \(count)")
        }
        let expected = newState(parameterCount: count)
        guard state.momentum.count == expected.momentum.count, state.secondMoment.count == expected.secondMoment.count else {
            throw AggregationError(
                .stateMismatch,
                "server step: state holds m of \(state.momentum.count) and v of \(state.secondMoment.count) values; \(self) on \(count) parameters needs \(expected.momentum.count) and \(expected.secondMoment.count)")
        }
        switch self {
        case .fedAvg(let eta):
            for j in 0..<count { parameters[j] += eta * delta[j] }
        case .fedAvgM(let eta, let beta):
            for j in 0..<count {
                let m = beta * state.momentum[j] + delta[j]
                state.momentum[j] = m
                parameters[j] += eta * m
            }
        case .fedAdam(let eta, let beta1, let beta2, let tau):
            for j in 0..<count {
                let d = delta[j]
                let m = beta1 * state.momentum[j] + (1 - beta1) * d
                let v = beta2 * state.secondMoment[j] + (1 - beta2) * d * d
                state.momentum[j] = m
                state.secondMoment[j] = v
                parameters[j] += eta * m / (v.squareRoot() + tau)
            }
        case .fedYogi(let eta, let beta1, let beta2, let tau):
            for j in 0..<count {
                let d = delta[j], d2 = d * d
                let m = beta1 * state.momentum[j] + (1 - beta1) * d
                let old = state.secondMoment[j]
                let sign: Float = old > d2 ? 1 : (old < d2 ? -1 : 0)
                let v = old - (1 - beta2) * d2 * sign
                state.momentum[j] = m
                state.secondMoment[j] = v
                parameters[j] += eta * m / (v.squareRoot() + tau)
            }
        }
        state.step += 1
    }
}
