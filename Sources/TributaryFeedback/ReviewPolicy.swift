/// Which served predictions go to the human review queue: those whose confidence is below a
/// threshold, and a seeded random sample of the rest. Pure: the sample is a hash of the seed and
/// the prediction id, so the same log gives the same queue.
public struct ReviewPolicy: Sendable, Equatable {
    /// How confident a prediction is.
    public enum Confidence: String, Sendable, CaseIterable {
        /// The largest probability.
        case maxProbability = "max_probability"
        /// The largest probability minus the second largest.
        case margin
    }

    public var confidence: Confidence
    /// A prediction whose confidence is below this is queued (0: none on confidence).
    public var threshold: Double
    /// The fraction of the other predictions queued at random (0: none).
    public var sampleRate: Double
    public var seed: UInt64
    /// The most predictions waiting; the oldest is dropped when a new one would exceed it.
    public var maxQueue: Int

    public init(confidence: Confidence = .maxProbability, threshold: Double = 0, sampleRate: Double = 0, seed: UInt64 = 1,
                maxQueue: Int = 1_000) {
        self.confidence = confidence
        self.threshold = threshold
        self.sampleRate = sampleRate
        self.seed = seed
        self.maxQueue = maxQueue
    }

    /// The confidence of a prediction with these probabilities.
    public func confidence(of probabilities: [Float]) -> Double {
        var first = -Float.infinity, second = -Float.infinity
        for p in probabilities {
            if p > first { (first, second) = (p, first) } else if p > second { second = p }
        }
        guard first.isFinite else { return 0 }
        switch confidence {
        case .maxProbability: return Double(first)
        case .margin: return Double(first - (second.isFinite ? second : 0))
        }
    }

    /// True when prediction `id` with these probabilities enters the review queue.
    public func selects(predictionID id: Int64, probabilities: [Float]) -> Bool {
        if threshold > 0, confidence(of: probabilities) < threshold { return true }
        return sampleRate > 0 && Self.uniform(seed: seed, id: id) < sampleRate
    }

    /// A number in [0, 1) drawn from the seed and the id (SplitMix64's finaliser).
    static func uniform(seed: UInt64, id: Int64) -> Double {
        var z = seed &+ UInt64(bitPattern: id) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53)
    }
}
