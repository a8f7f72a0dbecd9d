import TributaryAggregation
import TributaryNumerics
import TributaryPrivacy
import TributaryWire

/// One round's differential privacy, fixed when it opens: the sampling rate q, the noise
/// multiplier z, how many sums it releases (k), the noise on each, and ε once it is released.
///
/// Every client weighs 1. A client's contribution is its clipped delta (L2 ≤ C) and, when the
/// round uses the Fisher, its capped and clipped Fisher (entries ≤ cap, L2 ≤ C_F); under
/// Fisher-weighted aggregation the numerator's contribution F⊙Δ has L2 ≤ cap·C. Releasing k sums,
/// each with noise z·√k times its sensitivity, is one Gaussian mechanism with multiplier z on the
/// concatenated contribution, so the accountant composes (q, z) once per round.
struct RoundPrivacy: Sendable, Equatable {
    let settings: PrivacySettings
    let roundID: UInt64
    /// q: the round's selected clients over the eligible population.
    let samplingRate: Double
    /// z, as the accountant sees it.
    let noiseMultiplier: Double
    /// k: released sums (1: the delta's; 2: with a Fisher sum).
    let releasedSums: Int
    /// Fisher-weighted: the delta sum is Σ F⊙Δ, sensitivity cap · C.
    let fisherWeighted: Bool
    /// Distributed noise: the fewest contributions whose noise shares make up the sum's σ.
    let plannedClients: Int
    /// ε after this round, at δ; the accountant's rounds after it.
    let epsilonAfter: Double
    let roundsAfter: Int

    /// L2 sensitivity of the delta sum: C, or cap · C for Σ F⊙Δ.
    var deltaSensitivity: Double { Double(settings.deltaClip) * (fisherWeighted ? Double(settings.fisherCap) : 1) }

    /// σ of the noise the delta sum carries: z · √k · its sensitivity.
    var deltaSumStandardDeviation: Double { noiseMultiplier * Double(releasedSums).squareRoot() * deltaSensitivity }

    /// What each offered client is told to do.
    var plan: PrivacyPlanMessage {
        PrivacyPlanMessage(
            mode: settings.mode == .distributed ? .distributed : .trustedServer, deltaClip: settings.deltaClip,
            fisherCap: settings.fisherCap, fisherClip: settings.fisherClip,
            deltaNoiseStandardDeviation: settings.mode == .distributed ? deltaSumStandardDeviation / Double(plannedClients).squareRoot() : 0,
            noiseSeed: settings.seed ^ roundID)
    }

    /// The coordinator's own clipping of a plaintext update (trusted-server mode), whatever the
    /// client did: the sensitivity the noise is calibrated to holds for a client that did not clip.
    /// A distributed-mode update carries the client's noise and is left as it came.
    func clip(delta: [Float], fisher: [Float]?) throws -> (delta: [Float], fisher: [Float]?) {
        guard settings.mode == .trustedServer else { return (delta, fisher) }
        let clipped = try DeltaClipping(l2Bound: settings.deltaClip).clip(delta).clipped
        let fisherClipping = try FisherClipping(perParameterCap: settings.fisherCap, l2Bound: settings.fisherClip)
        return (clipped, try fisher.map { try fisherClipping.clip($0).clipped })
    }

    /// Trusted-server mode: adds N(0, σ²) to the released sums (`GaussianNoise`), seeded from
    /// `privacy.seed` and the round id; the noised Fisher sum is floored at 0 (post-processing: a
    /// Fisher is never negative).
    func addNoise(to aggregator: inout StreamingAggregator) throws {
        guard settings.mode == .trustedServer else { return }
        var generator = SeededGenerator(seed: settings.seed &+ roundID &* 0x9E37_79B9_7F4A_7C15)
        let scaled = noiseMultiplier * Double(releasedSums).squareRoot()
        let deltaNoise = try GaussianNoise(noiseMultiplier: scaled, clipBound: deltaSensitivity, placement: .trustedServer)
        let fisherNoise = try GaussianNoise(noiseMultiplier: scaled, clipBound: Double(settings.fisherClip), placement: .trustedServer)
        aggregator.perturbSums(
            deltaSum: { deltaNoise.add(to: &$0, generator: &generator) },
            fisherSum: { sum in
                fisherNoise.add(to: &sum, generator: &generator)
                for index in sum.indices where sum[index] < 0 { sum[index] = 0 }
            })
    }

    /// Distributed mode: the norm a client's clipped and noised delta may reach, C + σ(√d + 10)
    /// (a Gaussian vector's norm concentrates at σ√d within a few σ); nil in trusted-server mode.
    func noisedDeltaNormLimit(parameters: Int) -> Float? {
        guard settings.mode == .distributed else { return nil }
        return settings.deltaClip + Float(plan.deltaNoiseStandardDeviation * (Double(parameters).squareRoot() + 10))
    }

    /// Stored with the round's version (`privacy.*`): what a restart composes the budget from.
    var metrics: [String: Double] {
        ["privacy.epsilon": epsilonAfter, "privacy.delta": settings.delta, "privacy.epsilon_max": settings.epsilon,
         "privacy.noise_multiplier": noiseMultiplier, "privacy.sampling_rate": samplingRate, "privacy.rounds": Double(roundsAfter),
         "privacy.distributed": settings.mode == .distributed ? 1 : 0]
    }
}
