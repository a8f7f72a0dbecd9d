/// When the fleet's EWC memory takes in what the model has just learnt, and how.
///
/// Online EWC (Schwarz et al. 2018) consolidates once per *task*: F ← γF + F̂ₖ with the anchor θ*
/// moved to the parameters that learnt task k. Consolidating every round instead (ten times per
/// task at γ = 1) adds the same task's Fisher ten times and pins the anchor to the previous round's
/// parameters, which freezes the model within a task: the newest task ends far below what it could
/// learn. Each consolidation's Fisher is normalised to mean 1 over the parameters (`normalised`),
/// so λ keeps one meaning whatever the loss scale, model size or number of rounds.
public struct ConsolidationPolicy: Sendable, Hashable, Codable {
    public enum Trigger: Sendable, Hashable, Codable {
        /// Every round folds its mean Fisher in (the behaviour before consolidation followed tasks).
        case everyRound
        /// When the data changes: a task boundary announced by the operator, or the fleet's drift
        /// and accuracy-drop triggers (the coordinator decides; `FederatedRunner` at each new task).
        case dataChange
        /// When the state is this many rounds old (a schedule), and on a data change.
        case everyRounds(Int)
    }

    public var trigger: Trigger
    /// Decay of the consolidated Fisher, in [0, 1].
    public var gamma: Float
    /// Divide each consolidation's Fisher by its mean over the parameters.
    public var normalised: Bool

    public init(trigger: Trigger = .dataChange, gamma: Float = 1, normalised: Bool = true) {
        self.trigger = trigger
        self.gamma = gamma
        self.normalised = normalised
    }

    /// Every round, raw Fisher, γ: the policy before consolidation followed tasks.
    public static func everyRound(gamma: Float = 1) -> ConsolidationPolicy {
        ConsolidationPolicy(trigger: .everyRound, gamma: gamma, normalised: false)
    }

    public func validate() throws {
        guard gamma.isFinite, gamma >= 0, gamma <= 1 else {
            throw AggregationError(.invalidConfiguration, "EWC consolidation: gamma is \(gamma), must be in [0, 1]")
        }
        if case .everyRounds(let rounds) = trigger, rounds < 1 {
            throw AggregationError(.invalidConfiguration, "EWC consolidation: every \(rounds) rounds; must be ≥ 1")
        }
    }

    /// Whether a round about to start should consolidate first: the data changed, or the schedule is due.
    public func isDue(_ state: GlobalEWCState, dataChanged: Bool) -> Bool {
        guard !state.pending.isEmpty else { return false }
        switch trigger {
        case .everyRound: return false  // consolidated as each round closes
        case .dataChange: return dataChanged
        case .everyRounds(let rounds): return dataChanged || state.age >= rounds
        }
    }
}
