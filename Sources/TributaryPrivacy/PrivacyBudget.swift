/// A privacy budget (ε_max, δ) over rounds of DP-FedAvg: it says what ε the rounds so far have
/// spent and whether one more round at the configured sampling rate and noise would exceed ε_max.
/// The coordinator asks ``nextRound()`` before it opens a round and records it once the round's
/// noised sum is released (``recordRound()``); the budget is a value it stores with each version.
public struct PrivacyBudget: Sendable, Equatable, Codable {
    public let maxEpsilon: Double
    public let delta: Double
    /// q: the fraction of the population a round samples.
    public let samplingRate: Double
    /// z: the noise multiplier of every round.
    public let noiseMultiplier: Double
    public private(set) var accountant: RDPAccountant

    /// What one more round would do to the budget.
    public enum NextRound: Sendable, Equatable {
        /// The round fits: ε after it.
        case allowed(epsilonAfter: Double)
        /// The round would take ε past ε_max: ε now, and what it would be.
        case exceedsBudget(epsilonNow: Double, epsilonAfter: Double)
    }

    public init(maxEpsilon: Double, delta: Double, samplingRate: Double, noiseMultiplier: Double,
                orders: [Double] = RDPAccountant.defaultOrders) throws {
        guard maxEpsilon.isFinite, maxEpsilon > 0 else {
            throw PrivacyError(.invalidConfiguration, "ε_max is \(maxEpsilon); it must be a finite number above 0")
        }
        guard delta > 0, delta < 1 else { throw PrivacyError(.invalidConfiguration, "δ is \(delta); it must lie strictly between 0 and 1") }
        try RDPAccountant.validate(samplingRate: samplingRate, noiseMultiplier: noiseMultiplier, rounds: 1)
        self.maxEpsilon = maxEpsilon
        self.delta = delta
        self.samplingRate = samplingRate
        self.noiseMultiplier = noiseMultiplier
        self.accountant = try RDPAccountant(orders: orders)
    }

    private enum CodingKeys: String, CodingKey { case maxEpsilon, delta, samplingRate, noiseMultiplier, accountant }

    /// Restores a stored budget with the same checks as a new one.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            maxEpsilon: try container.decode(Double.self, forKey: .maxEpsilon), delta: try container.decode(Double.self, forKey: .delta),
            samplingRate: try container.decode(Double.self, forKey: .samplingRate),
            noiseMultiplier: try container.decode(Double.self, forKey: .noiseMultiplier))
        accountant = try container.decode(RDPAccountant.self, forKey: .accountant)
    }

    /// The budget that fits exactly `rounds` rounds: the smallest noise multiplier that keeps
    /// `rounds` rounds at sampling rate q within (ε_max, δ).
    public static func forRounds(_ rounds: Int, maxEpsilon: Double, delta: Double, samplingRate: Double) throws -> PrivacyBudget {
        let z = try RDPAccountant.noiseMultiplier(forEpsilon: maxEpsilon, delta: delta, samplingRate: samplingRate, rounds: rounds)
        return try PrivacyBudget(maxEpsilon: maxEpsilon, delta: delta, samplingRate: samplingRate, noiseMultiplier: z)
    }

    /// ε spent by the rounds recorded so far.
    public var spentEpsilon: Double { (try? accountant.epsilon(delta: delta).epsilon) ?? .infinity }

    public var roundsRecorded: Int { accountant.rounds }

    /// Whether one more round fits in ε_max.
    public func nextRound() -> NextRound {
        let after = (try? accountant.composing(samplingRate: samplingRate, noiseMultiplier: noiseMultiplier).epsilon(delta: delta).epsilon) ?? .infinity
        return after <= maxEpsilon ? .allowed(epsilonAfter: after) : .exceedsBudget(epsilonNow: spentEpsilon, epsilonAfter: after)
    }

    /// Records one released round; refuses (and records nothing) when it would exceed ε_max.
    /// Returns ε after the round.
    @discardableResult
    public mutating func recordRound() throws -> Double {
        switch nextRound() {
        case .allowed(let after):
            try accountant.compose(samplingRate: samplingRate, noiseMultiplier: noiseMultiplier)
            return after
        case .exceedsBudget(let now, let after):
            throw PrivacyError(.budgetExhausted, "round \(accountant.rounds + 1) would take ε from \(now) to \(after), past ε_max \(maxEpsilon) at δ \(delta)")
        }
    }
}
