import TributaryNumerics
import TributaryPrivacy
import TributaryWire

/// What the edge does to its delta and Fisher under a round's privacy plan
/// (`TrainingPlan.privacy`), after the job computed them and before the Update is built: the
/// delta clipped to the plan's L2 bound, the Fisher capped per entry and clipped in L2, and in
/// distributed mode N(0, σ²) added to each clipped delta entry, σ as the plan states, from a
/// generator seeded with the edge's seed, the round id and the plan's noise seed.
public struct UpdatePrivacy: Sendable {
    public let plan: PrivacyPlanMessage

    public init(plan: PrivacyPlanMessage) {
        self.plan = plan
    }

    /// The clipped (and, in distributed mode, noised) delta and Fisher.
    /// - Throws: `PrivacyError` naming a non-finite delta or Fisher entry, or a negative Fisher one.
    public func apply(delta: [Float], fisher: [Float]?, seed: UInt64, roundID: UInt64) throws -> (delta: [Float], fisher: [Float]?) {
        var clipped = try DeltaClipping(l2Bound: plan.deltaClip).clip(delta).clipped
        let fisherClipping = try FisherClipping(perParameterCap: plan.fisherCap, l2Bound: plan.fisherClip)
        let clippedFisher = try fisher.map { try fisherClipping.clip($0).clipped }
        if plan.mode == .distributed {
            // σ is the client's share; GaussianNoise with multiplier σ/C over bound C adds exactly σ.
            let noise = try GaussianNoise(noiseMultiplier: plan.deltaNoiseStandardDeviation / Double(plan.deltaClip),
                                          clipBound: Double(plan.deltaClip), placement: .trustedServer)
            var generator = SeededGenerator(seed: Self.noiseSeed(edge: seed, round: roundID, plan: plan.noiseSeed))
            noise.add(to: &clipped, generator: &generator)
        }
        return (clipped, clippedFisher)
    }

    /// The three seeds mixed (`SeededGenerator` runs the result through SplitMix64), so two
    /// edges with different seeds draw independent noise in the same round.
    static func noiseSeed(edge: UInt64, round: UInt64, plan: UInt64) -> UInt64 {
        (edge &* 0x9E37_79B9_7F4A_7C15) ^ (round &* 0xBF58_476D_1CE4_E5B9) ^ plan
    }
}
