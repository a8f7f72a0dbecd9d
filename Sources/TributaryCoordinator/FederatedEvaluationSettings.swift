import TributaryConfig
import TributaryRounds

/// `evaluation.federated`: before a version the gate passed is released, a seeded sample of the
/// connected edges evaluates it and the live version on their local held-out sets (never trained
/// on). The candidate is rejected when its example-weighted accuracy there is more than `maxDrop`
/// below the live version's on the same edges.
public struct FederatedEvaluationSettings: Sendable, Equatable {
    public var sampling: EvaluationConfiguration
    /// The largest drop (live − candidate accuracy on the edges' held-out sets) still released, in [0, 1].
    public var maxDrop: Double

    public init(sampling: EvaluationConfiguration, maxDrop: Double = 0.02) {
        self.sampling = sampling
        self.maxDrop = maxDrop
    }

    /// The `evaluation.federated` section; nil unless `enabled: true`.
    static func read(_ section: ConfigReader, seed: UInt64) throws -> FederatedEvaluationSettings? {
        let enabled = try section.bool("enabled", default: false)
        let sample = try section.int("sample_size", default: 5, in: 1...100_000)
        let minimum = try section.int("min_clients", default: 2, in: 1...100_000)
        let examples = try section.int("min_examples", default: 50, in: 1...1_000_000_000)
        let timeout = try section.duration("timeout", default: .seconds(60), in: .seconds(1)...(.seconds(86_400)))
        let maxDrop = try section.double("max_drop", default: 0.02, in: 0...1)
        guard enabled else { return nil }
        do {
            return FederatedEvaluationSettings(
                sampling: try EvaluationConfiguration(sampleSize: sample, minimumClients: minimum, minimumExamples: examples, timeout: timeout, seed: seed),
                maxDrop: maxDrop)
        } catch let error as RoundError {
            throw section.invalid("min_clients", error.reason)
        }
    }
}
