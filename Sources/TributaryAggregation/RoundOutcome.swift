/// Everything a finished round produces, ready for the registry: the new global parameters, the
/// server optimizer's next state, the next global EWC state, and the aggregate it came from.
public struct RoundOutcome: Sendable, Equatable {
    public var parameters: [Float]
    public var optimizerState: ServerOptimizerState
    /// Nil when no update carried a Fisher (the previous state then stays as it was).
    public var ewc: GlobalEWCState?
    public var aggregate: AggregatedDelta
}
