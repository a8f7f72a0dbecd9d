/// The bounds an edge applies before masking its Update, which fix the clip of each segment of
/// ``MaskLayout/fisherWeighted(parameterCount:bounds:maxClients:bits:)``.
public struct FisherWeightedBounds: Sendable, Hashable {
    /// The largest example count a client may claim (n is clipped to it).
    public var maxExamples: Int
    /// The largest per-parameter Fisher value (F is clipped to [0, fisherCap]).
    public var fisherCap: Float
    /// The largest per-parameter delta magnitude (Δ is clipped to [−deltaCap, deltaCap]).
    public var deltaCap: Float

    public init(maxExamples: Int = 10_000, fisherCap: Float = 100, deltaCap: Float = 1) {
        self.maxExamples = maxExamples
        self.fisherCap = fisherCap
        self.deltaCap = deltaCap
    }
}

/// The four sums the coordinator needs from a round, in the order of the layout:
/// `weighted_delta` Σ nᵢFᵢ⊙Δᵢ and `weighted_fisher` Σ nᵢFᵢ (the Fisher-weighted rule's numerator
/// and denominator), `fedavg_delta` Σ nᵢΔᵢ (FedAvg's numerator) and `examples` Σ nᵢ.
public enum FisherWeightedInput {
    public static let segmentNames = ["weighted_delta", "weighted_fisher", "fedavg_delta", "examples"]

    /// One client's segments: n, F and Δ clipped to `bounds` first, then the products.
    /// - Throws: `invalidInput` when the delta and the Fisher differ in length or n is negative.
    public static func segments(delta: [Float], fisher: [Float], examples: Int, bounds: FisherWeightedBounds) throws -> [[Float]] {
        guard delta.count == fisher.count else {
            throw SecAggError(.invalidInput, "delta has \(delta.count) values and Fisher \(fisher.count); they must match")
        }
        guard examples >= 0 else { throw SecAggError(.invalidInput, "example count is \(examples); it must be ≥ 0") }
        let n = Float(min(examples, bounds.maxExamples))
        var weightedDelta = [Float](repeating: 0, count: delta.count)
        var weightedFisher = [Float](repeating: 0, count: delta.count)
        var fedAvgDelta = [Float](repeating: 0, count: delta.count)
        for j in 0..<delta.count {
            let f = min(max(fisher[j], 0), bounds.fisherCap)
            let d = min(max(delta[j], -bounds.deltaCap), bounds.deltaCap)
            weightedFisher[j] = n * f
            weightedDelta[j] = n * f * d
            fedAvgDelta[j] = n * d
        }
        return [weightedDelta, weightedFisher, fedAvgDelta, [n]]
    }
}

extension MaskLayout {
    /// The layout of ``FisherWeightedInput``: clips from `bounds` (n·F·Δ ≤ maxExamples·fisherCap·deltaCap,
    /// n·F ≤ maxExamples·fisherCap, n·Δ ≤ maxExamples·deltaCap, n ≤ maxExamples), each scale
    /// the largest that lets `maxClients` clients sum without wrapping.
    public static func fisherWeighted(parameterCount: Int, bounds: FisherWeightedBounds, maxClients: Int, bits: Int = 64) throws -> MaskLayout {
        let n = Double(bounds.maxExamples), f = Double(bounds.fisherCap), d = Double(bounds.deltaCap)
        let clips = [n * f * d, n * f, n * d, n]
        let counts = [parameterCount, parameterCount, parameterCount, 1]
        return try MaskLayout(segments: zip(FisherWeightedInput.segmentNames, zip(clips, counts)).map { name, pair in
            try MaskSegment(name: name, count: pair.1, encoding: FixedPointEncoding(bits: bits, clip: pair.0, maxSummands: maxClients))
        })
    }
}
