import TributaryPrivacy

/// Client-level differential privacy (DP-FedAvg) of the coordinator's rounds (`privacy:`), off by
/// default. Every client's delta is clipped to `deltaClip` (and its Fisher capped at `fisherCap`,
/// clipped to `fisherClip`), every client weighs the same (the self-reported example count would
/// multiply one client's sensitivity), Gaussian noise with multiplier z is added to each released
/// sum, and the Rényi-DP accountant composes the rounds; a round that would take ε past `epsilon`
/// is not opened.
public struct PrivacySettings: Sendable, Equatable {
    public enum Mode: String, Sendable, Equatable, CaseIterable {
        case off
        /// The coordinator adds the noise to the sums at round close (it must be trusted with them).
        case trustedServer = "trusted_server"
        /// Each client adds its share; the coordinator adds none.
        case distributed
    }

    /// How the noise multiplier z is chosen.
    public enum Noise: Sendable, Equatable {
        /// The smallest z that keeps this many rounds within (ε_max, δ) at the first round's sampling rate.
        case plannedRounds(Int)
        /// z itself.
        case multiplier(Double)
    }

    public var mode: Mode
    /// ε_max: the total budget.
    public var epsilon: Double
    /// δ of the (ε, δ) guarantee.
    public var delta: Double
    public var noise: Noise
    /// L2 bound C of each client's delta.
    public var deltaClip: Float
    /// Largest value one Fisher entry keeps, and the L2 bound of the capped Fisher.
    public var fisherCap: Float
    public var fisherClip: Float
    /// Seeds the coordinator's noise (trusted server) and the clients' (distributed, mixed with each
    /// edge's own seed and the round id). A deployment would seed from the system's secure source.
    public var seed: UInt64

    public static let off = PrivacySettings(mode: .off, epsilon: 1, delta: 1e-5, noise: .multiplier(1), deltaClip: 1, fisherCap: 1, fisherClip: 10, seed: 0)

    public init(mode: Mode, epsilon: Double, delta: Double = 1e-5, noise: Noise, deltaClip: Float, fisherCap: Float = 1, fisherClip: Float = 10,
                seed: UInt64 = 0) {
        self.mode = mode
        self.epsilon = epsilon
        self.delta = delta
        self.noise = noise
        self.deltaClip = deltaClip
        self.fisherCap = fisherCap
        self.fisherClip = fisherClip
        self.seed = seed
    }

    public var isOn: Bool { mode != .off }

    /// How the coordinator's stop reason begins when the next round would pass ε_max.
    public static let budgetSpent = "privacy budget spent"

    /// One line for reports: nil when off.
    public var summary: String? {
        guard isOn else { return nil }
        let noise = switch noise {
        case .plannedRounds(let rounds): "z for \(rounds) rounds"
        case .multiplier(let z): "z \(z)"
        }
        return "\(mode.rawValue), ε_max \(epsilon), δ \(delta), delta clip \(deltaClip), \(noise)"
    }

    /// Checks every value, naming the key (`privacy.…`) and the value; `rule` is the aggregation's.
    func validate(rule: AggregationRuleName) throws {
        guard isOn else { return }
        func fail(_ key: String, _ value: String, _ problem: String) -> CoordinatorError {
            CoordinatorError(.invalidConfiguration, "privacy.\(key) is \(value); \(problem)")
        }
        guard epsilon.isFinite, epsilon > 0, epsilon <= 1e6 else { throw fail("epsilon", "\(epsilon)", "must be a number in (0, 1e6]") }
        guard delta > 0, delta < 1 else { throw fail("delta", "\(delta)", "must lie strictly between 0 and 1") }
        switch noise {
        case .plannedRounds(let rounds):
            guard rounds >= 1, rounds <= 1_000_000 else { throw fail("rounds", "\(rounds)", "must be in 1...1000000") }
        case .multiplier(let z):
            guard z.isFinite, z > 0, z <= 1000 else { throw fail("noise_multiplier", "\(z)", "must be a number in (0, 1000]") }
        }
        for (key, value) in [("delta_clip", deltaClip), ("fisher_cap", fisherCap), ("fisher_clip", fisherClip)] {
            guard value.isFinite, value > 0, value <= 1e9 else { throw fail(key, "\(value)", "must be a number in (0, 1e9]") }
        }
        if mode == .distributed, rule == .fisherWeighted {
            throw CoordinatorError(
                .invalidConfiguration,
                "privacy.mode is distributed and aggregation.rule is fisher_weighted; distributed noise covers the delta only (a noised Fisher is not a valid Fisher), so set aggregation.rule: fedavg (and plan.ewc_lambda: 0) or privacy.mode: trusted_server")
        }
    }

    /// The aggregation rule as this check needs it.
    enum AggregationRuleName { case fedAvg, fisherWeighted }
}
