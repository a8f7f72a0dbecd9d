extension StreamingAggregator {
    /// Closes the round's arithmetic in one call: Δ̄ from the sums, the server step
    /// θ ← optimizer(θ, Δ̄), and F_g ← γ F_g + F̄ with anchor θ* = the new θ. Nothing is mutated;
    /// the caller commits the outcome (or drops it if the evaluation gate refuses it).
    public func outcome(
        parameters: [Float], optimizer: ServerOptimizer, state: ServerOptimizerState,
        ewc: GlobalEWCState, gamma: Float
    ) throws -> RoundOutcome {
        guard parameters.count == policy.layout.totalCount else {
            throw AggregationError(.stateMismatch, "global parameters have \(parameters.count) values, the layout \(policy.layout.totalCount)")
        }
        try optimizer.validate()
        let aggregate = try aggregate()
        var next = parameters
        var nextState = state
        try optimizer.apply(delta: aggregate.delta, to: &next, state: &nextState)
        let nextEWC = try aggregate.meanFisher.map { try ewc.consolidated(meanFisher: $0, anchor: next, gamma: gamma) }
        return RoundOutcome(parameters: next, optimizerState: nextState, ewc: nextEWC, aggregate: aggregate)
    }
}
