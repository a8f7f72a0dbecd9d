/// Everything a finished round produces, ready for the registry: the new global parameters, the
/// server optimizer's next state, the next global EWC state, and the aggregate it came from.
public struct RoundOutcome: Sendable, Equatable {
    public var parameters: [Float]
    public var optimizerState: ServerOptimizerState
    /// The global EWC state after the round: its mean Fisher pending (or consolidated, per the
    /// policy), one round older; as it was, but older, when no update carried a Fisher.
    public var ewc: GlobalEWCState
    public var aggregate: AggregatedDelta
}
