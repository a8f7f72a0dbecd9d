/// The fleet's online-EWC memory, kept with each model version and sent with each round offer
/// (Schwarz et al. 2018's online EWC, applied federatedly as in FedCurv, Shoham et al. 2019):
/// the consolidated Fisher F_g with its anchor θ*, and the newest round's mean Fisher Σ nᵢFᵢ / Σ nᵢ
/// (`pending`), measured at the newest parameters and folded in when a `ConsolidationPolicy` says so.
///
/// Flat buffers only: TributaryAggregation does not import TributaryLearning; the coordinator turns
/// this into an `EWCState` term (`fisher`, `anchor`).
public struct GlobalEWCState: Sendable, Equatable, Hashable, Codable {
    public var fisher: [Float]
    public var anchor: [Float]
    /// Consolidations folded in so far.
    public var consolidations: Int
    /// The newest round's mean Fisher, not consolidated yet (empty: none since the last consolidation).
    public var pending: [Float]
    /// Rounds closed since the last consolidation.
    public var age: Int

    public init(fisher: [Float] = [], anchor: [Float] = [], consolidations: Int = 0, pending: [Float] = [], age: Int = 0) {
        self.fisher = fisher
        self.anchor = anchor
        self.consolidations = consolidations
        self.pending = pending
        self.age = age
    }

    public var isEmpty: Bool { fisher.isEmpty }

    /// The state after a round closed at `parameters`: its mean Fisher becomes the pending one
    /// (with `.everyRound`, it is consolidated at once, anchored at `parameters`).
    public func closingRound(meanFisher: [Float]?, parameters: [Float], policy: ConsolidationPolicy) throws -> GlobalEWCState {
        var next = self
        next.age += 1
        if let meanFisher {
            guard meanFisher.count == parameters.count else {
                throw AggregationError(.stateMismatch, "global EWC: mean Fisher has \(meanFisher.count) values, the parameters \(parameters.count)")
            }
            next.pending = meanFisher
        }
        if policy.trigger == .everyRound, !next.pending.isEmpty {
            next = try next.consolidated(anchor: parameters, policy: policy)
        }
        return next
    }

    /// Folds the pending Fisher in: F_g ← γ F_g + F̂ with F̂ the pending Fisher (divided by its
    /// mean when the policy normalises), θ* ← `anchor` (the parameters the pending Fisher was
    /// measured at). An empty state starts from F_g = 0. Without a pending Fisher, nothing changes.
    public func consolidated(anchor: [Float], policy: ConsolidationPolicy) throws -> GlobalEWCState {
        try policy.validate()
        guard !pending.isEmpty else { return self }
        guard pending.count == anchor.count else {
            throw AggregationError(.stateMismatch, "global EWC: pending Fisher has \(pending.count) values, anchor \(anchor.count)")
        }
        guard fisher.isEmpty || fisher.count == pending.count else {
            throw AggregationError(.stateMismatch, "global EWC: stored Fisher has \(fisher.count) values, the new one \(pending.count)")
        }
        var next = pending
        if policy.normalised {
            let mean = next.reduce(0, +) / Float(next.count)
            if mean > 0, mean.isFinite { for j in next.indices { next[j] /= mean } }
        }
        if !fisher.isEmpty {
            for j in next.indices { next[j] += policy.gamma * fisher[j] }
        }
        return GlobalEWCState(fisher: next, anchor: anchor, consolidations: consolidations + 1, pending: [], age: 0)
    }
}
