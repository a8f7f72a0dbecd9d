/// The fleet's online-EWC memory, kept with each model version and sent with each round offer:
/// F_g ← γ F_g + Σ nᵢ Fᵢ / Σ nᵢ, anchor θ* = the new global parameters (Schwarz et al. 2018's
/// online EWC, applied federatedly as in FedCurv, Shoham et al. 2019).
///
/// Flat buffers only: TributaryAggregation does not import TributaryLearning; the coordinator turns
/// this into an `EWCState` term (`fisher`, `anchor`).
public struct GlobalEWCState: Sendable, Equatable, Hashable, Codable {
    public var fisher: [Float]
    public var anchor: [Float]
    /// Rounds folded in so far.
    public var consolidations: Int

    public init(fisher: [Float] = [], anchor: [Float] = [], consolidations: Int = 0) {
        self.fisher = fisher
        self.anchor = anchor
        self.consolidations = consolidations
    }

    public var isEmpty: Bool { fisher.isEmpty }

    /// The state after a round: F_g ← γ F_g + `meanFisher`, θ* ← `anchor`. An empty state starts
    /// from F_g = 0.
    public func consolidated(meanFisher: [Float], anchor: [Float], gamma: Float) throws -> GlobalEWCState {
        guard gamma.isFinite, gamma >= 0, gamma <= 1 else {
            throw AggregationError(.invalidConfiguration, "global EWC: gamma is \(gamma), must be in [0, 1]")
        }
        guard meanFisher.count == anchor.count else {
            throw AggregationError(.stateMismatch, "global EWC: mean Fisher has \(meanFisher.count) values, anchor \(anchor.count)")
        }
        guard fisher.isEmpty || fisher.count == meanFisher.count else {
            throw AggregationError(.stateMismatch, "global EWC: stored Fisher has \(fisher.count) values, the new one \(meanFisher.count)")
        }
        var next = meanFisher
        if !fisher.isEmpty {
            for j in next.indices { next[j] += gamma * fisher[j] }
        }
        return GlobalEWCState(fisher: next, anchor: anchor, consolidations: consolidations + 1)
    }
}
