/// Bounds a client cannot lie past (issue 16), on by default: what one Update may weigh in a round
/// whatever its sender claims. They clip; they do not refuse (DP-FedAvg clips too, and a clipped
/// honest update still helps the round):
///
/// - ‖Δᵢ‖₂ is clipped to `deltaNormMultiple` × the median of the recently accepted norms.
/// - Each Fᵢⱼ is capped at `fisherMultiple` × max(F̄ⱼ, `fisherFloor` × mean F̄), F̄ the fleet's
///   mean Fisher of the newest closed round.
/// - ‖Fᵢ‖₂ is clipped to `fisherNormMultiple` × the median of the recently accepted Fisher norms.
///
/// The medians are over the newest `history` accepted updates (across rounds, this round's
/// included) and apply once `minimumHistory` are known; before that only the fixed
/// ``DeltaNormBound`` (a refusal) holds. The example count is bounded apart, per client, by the
/// count the plan states (``UpdatePolicy/validate(client:examples:metrics:stated:)``).
public struct UpdateBounds: Sendable, Equatable {
    /// nil: no adaptive bound on the delta.
    public var deltaNormMultiple: Float?
    /// nil: no per-parameter cap on the Fisher.
    public var fisherMultiple: Float?
    /// The cap's floor as a share of the mean of F̄, so a parameter the fleet knew nothing about
    /// can still gain importance.
    public var fisherFloor: Float
    /// nil: no adaptive L2 bound on the Fisher.
    public var fisherNormMultiple: Float?
    /// Accepted norms the medians are taken over.
    public var history: Int
    /// Accepted norms needed before a median bounds anything.
    public var minimumHistory: Int
    /// Each client's plan states the largest example count it may claim (what it announced,
    /// capped by `max_update_examples`); an Update claiming more is refused.
    public var statedExamples: Bool

    public init(deltaNormMultiple: Float? = 1.5, fisherMultiple: Float? = 3, fisherFloor: Float = 0.01, fisherNormMultiple: Float? = 1,
                history: Int = 30, minimumHistory: Int = 5, statedExamples: Bool = true) {
        self.statedExamples = statedExamples
        self.deltaNormMultiple = deltaNormMultiple
        self.fisherMultiple = fisherMultiple
        self.fisherFloor = fisherFloor
        self.fisherNormMultiple = fisherNormMultiple
        self.history = history
        self.minimumHistory = minimumHistory
    }

    /// The defaults: Δ to 1.5 × the median norm, each Fᵢⱼ to 3 × max(F̄ⱼ, 0.01 × mean F̄), ‖Fᵢ‖ to
    /// the median, over the newest 30 accepted updates once 5 are known (docs/benchmarks.md,
    /// "Update bounds", has the runs that chose them).
    public static let `default` = UpdateBounds()

    /// None of these bounds (`aggregation.bounds.enabled: false`): the fixed `max_delta_norm`
    /// and `max_update_examples` still hold.
    public static let off = UpdateBounds(deltaNormMultiple: nil, fisherMultiple: nil, fisherNormMultiple: nil, statedExamples: false)

    /// True when no norm or Fisher bound is on (the stated example count is checked apart).
    public var isOff: Bool { deltaNormMultiple == nil && fisherMultiple == nil && fisherNormMultiple == nil }

    /// Throws naming the setting and its value when a multiple is not finite and ≥ 1, or the
    /// history is not 1 ≤ minimum ≤ history.
    public func validate() throws {
        for (name, value) in [("delta_norm_multiple", deltaNormMultiple), ("fisher_multiple", fisherMultiple),
                              ("fisher_norm_multiple", fisherNormMultiple)] {
            if let value, !(value >= 1 && value.isFinite) {
                throw AggregationError(.invalidConfiguration, "bounds.\(name) is \(value); must be a finite number ≥ 1 (or off)")
            }
        }
        guard fisherFloor > 0, fisherFloor.isFinite else {
            throw AggregationError(.invalidConfiguration, "bounds.fisher_floor is \(fisherFloor); must be a finite number > 0")
        }
        guard minimumHistory >= 1, history >= minimumHistory else {
            throw AggregationError(.invalidConfiguration,
                                   "bounds.history is \(history) and bounds.minimum_history \(minimumHistory); need 1 ≤ minimum_history ≤ history")
        }
    }
}
