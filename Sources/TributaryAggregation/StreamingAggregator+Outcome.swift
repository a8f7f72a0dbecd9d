extension StreamingAggregator {
    /// Closes the round's arithmetic in one call: Δ̄ from the sums, the server step
    /// θ ← optimizer(θ, Δ̄), and the round's mean Fisher F̄ handed to the global EWC state
    /// (pending until `consolidation` folds it in; at once with `.everyRound`). Nothing is mutated;
    /// the caller commits the outcome (or drops it if the evaluation gate refuses it).
    public func outcome(
        parameters: [Float], optimizer: ServerOptimizer, state: ServerOptimizerState,
        ewc: GlobalEWCState, consolidation: ConsolidationPolicy
    ) throws -> RoundOutcome {
        guard parameters.count == policy.layout.totalCount else {
            throw AggregationError(.stateMismatch, "global parameters have \(parameters.count) values, the layout \(policy.layout.totalCount)")
        }
        try optimizer.validate()
        let aggregate = try aggregate()
        var next = parameters
        var nextState = state
        try optimizer.apply(delta: aggregate.delta, to: &next, state: &nextState)
        let nextEWC = try ewc.closingRound(meanFisher: aggregate.meanFisher, parameters: next, policy: consolidation)
        return RoundOutcome(parameters: next, optimizerState: nextState, ewc: nextEWC, aggregate: aggregate)
    }
}
