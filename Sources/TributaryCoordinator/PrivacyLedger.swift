import Foundation
import TributaryPrivacy

/// The coordinator's privacy budget: the Rényi-DP accountant over every round released so far
/// (composed back from the versions' `privacy.*` metrics at start, so a restart keeps the spent
/// ε), the noise multiplier z, and the decision whether the next round fits in ε_max.
struct PrivacyLedger: Sendable {
    let settings: PrivacySettings
    private(set) var accountant: RDPAccountant
    /// z: the configured one, or the one derived from `privacy.rounds` at the first round (then
    /// kept, and read back from the newest version at a restart).
    private(set) var noiseMultiplier: Double?

    init(settings: PrivacySettings) {
        self.settings = settings
        // The default orders are valid by construction.
        accountant = try! RDPAccountant()
        if case .multiplier(let z) = settings.noise { noiseMultiplier = z }
    }

    /// Composes the rounds the registry's versions record (`privacy.sampling_rate`,
    /// `privacy.noise_multiplier`), oldest first.
    mutating func restore(versionMetrics: [[String: Double]]) throws {
        for metrics in versionMetrics {
            guard let q = metrics["privacy.sampling_rate"], let z = metrics["privacy.noise_multiplier"] else { continue }
            try accountant.compose(samplingRate: q, noiseMultiplier: z)
            if case .plannedRounds = settings.noise { noiseMultiplier = z }
        }
    }

    /// ε spent by the rounds released so far, at δ.
    var spentEpsilon: Double { accountant.rounds == 0 ? 0 : (try? accountant.epsilon(delta: settings.delta).epsilon) ?? .infinity }

    enum Opening: Sendable, Equatable {
        case open(RoundPrivacy)
        /// The round would take ε past ε_max: why, naming ε spent and ε_max.
        case exhausted(String)
    }

    /// The round `roundID` selecting `selected` of `eligible` clients, releasing `releasedSums`
    /// sums, with distributed noise split across `plannedClients`: its privacy, or why it may not open.
    mutating func open(roundID: UInt64, selected: Int, eligible: Int, releasedSums: Int, fisherWeighted: Bool, plannedClients: Int) throws -> Opening {
        let q = min(1, Double(selected) / Double(max(eligible, selected, 1)))
        let z: Double
        if let known = noiseMultiplier {
            z = known
        } else if case .plannedRounds(let rounds) = settings.noise {
            z = try RDPAccountant.noiseMultiplier(forEpsilon: settings.epsilon, delta: settings.delta, samplingRate: q, rounds: rounds)
            noiseMultiplier = z
        } else {
            preconditionFailure("a multiplier is set at init")
        }
        let after = try accountant.composing(samplingRate: q, noiseMultiplier: z).epsilon(delta: settings.delta).epsilon
        guard after <= settings.epsilon else {
            return .exhausted(String(
                format: "\(PrivacySettings.budgetSpent): ε %.4g of ε_max %g (δ %g) after %d round(s); round %llu (q %.3g, z %.4g) would take it to %.4g",
                spentEpsilon, settings.epsilon, settings.delta, accountant.rounds, roundID, q, z, after))
        }
        return .open(RoundPrivacy(
            settings: settings, roundID: roundID, samplingRate: q, noiseMultiplier: z, releasedSums: releasedSums, fisherWeighted: fisherWeighted,
            plannedClients: max(plannedClients, 1), epsilonAfter: after, roundsAfter: accountant.rounds + 1))
    }

    /// The round's version was registered: its release is spent.
    mutating func record(samplingRate: Double, noiseMultiplier: Double) throws {
        try accountant.compose(samplingRate: samplingRate, noiseMultiplier: noiseMultiplier)
    }
}
