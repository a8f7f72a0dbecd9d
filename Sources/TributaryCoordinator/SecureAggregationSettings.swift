import TributaryConfig
import TributarySecureAggregation

/// `secure_aggregation`: rounds aggregated under SecAgg+ masks (docs/secure-aggregation.md). The
/// coordinator learns only the sums its rule needs, never one client's delta or Fisher. Off by
/// default: it costs k + 1 mask expansions per client and the unmasking on the coordinator, and
/// every selected client must announce "secagg" (the C edge client does not).
public struct SecureAggregationSettings: Sendable, Hashable {
    /// The share of selected clients the round is planned to survive losing; fixes the neighbour
    /// count k and the threshold t (``SecAggConfiguration/recommended(roundID:clientCount:dropoutRate:failureProbability:graphSeed:layout:deadlines:)``).
    public var dropoutRate: Double = 0.3
    /// The chance, per round, that some client keeps fewer than t live neighbours.
    public var failureProbability: Double = 1e-6
    /// The ring Z_2^bits the masked vectors live in: 64, or 32 (half the upload; needs tight caps).
    public var ringBits: Int = 64
    /// The bounds every edge applies before masking (they fix the fixed-point range): n ≤
    /// maxExamples, 0 ≤ F ≤ fisherCap, |Δ| ≤ deltaCap per parameter.
    public var bounds = FisherWeightedBounds(maxExamples: 10_000, fisherCap: 100, deltaCap: 1)
    /// Deadlines of the phases around training (the masked input's is the round's deadline).
    public var advertiseTimeout: Duration = .seconds(30)
    public var shareTimeout: Duration = .seconds(30)
    public var unmaskTimeout: Duration = .seconds(30)

    public init() {}

    /// Reads `secure_aggregation`; nil when `enabled` is false (the default). Errors name the key and value.
    static func read(_ section: ConfigReader) throws -> SecureAggregationSettings? {
        let enabled = try section.bool("enabled", default: false)
        var settings = SecureAggregationSettings()
        settings.dropoutRate = try section.double("dropout_rate", default: settings.dropoutRate, in: 0...0.49)
        settings.failureProbability = try section.double("failure_probability", default: settings.failureProbability, in: 1e-30...0.5)
        settings.ringBits = try section.int("ring_bits", default: settings.ringBits, in: 32...64)
        guard settings.ringBits == 32 || settings.ringBits == 64 else { throw section.invalid("ring_bits", "must be 32 or 64") }
        settings.bounds = FisherWeightedBounds(
            maxExamples: try section.int("max_examples", default: settings.bounds.maxExamples, in: 1...1 << 30),
            fisherCap: Float(try section.double("fisher_cap", default: Double(settings.bounds.fisherCap), in: 1e-12...1e12)),
            deltaCap: Float(try section.double("delta_cap", default: Double(settings.bounds.deltaCap), in: 1e-12...1e12)))
        let phase: ClosedRange<Duration> = .milliseconds(100)...(.seconds(3600))
        settings.advertiseTimeout = try section.duration("advertise_timeout", default: settings.advertiseTimeout, in: phase)
        settings.shareTimeout = try section.duration("share_timeout", default: settings.shareTimeout, in: phase)
        settings.unmaskTimeout = try section.duration("unmask_timeout", default: settings.unmaskTimeout, in: phase)
        return enabled ? settings : nil
    }

    /// The masked sums a rule needs: Σ nFΔ and Σ nF (Fisher-weighted), or Σ nΔ (and Σ nF when the
    /// fleet's mean Fisher feeds the global EWC state); Σ n always.
    static func sums(fisherWeighted: Bool, meanFisher: Bool) -> Set<String> {
        var names: Set<String> = ["examples"]
        if fisherWeighted {
            names.formUnion(["weighted_delta", "weighted_fisher"])
        } else {
            names.insert("fedavg_delta")
            if meanFisher { names.insert("weighted_fisher") }
        }
        return names
    }
}
