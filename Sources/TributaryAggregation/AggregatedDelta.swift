/// The outcome of folding a round: the server delta Δ̄ to hand to a server optimizer, and the
/// fleet's example-weighted mean Fisher for the global EWC state.
public struct AggregatedDelta: Sendable, Equatable {
    /// Δ̄: Σ nᵢ Δᵢ / Σ nᵢ (FedAvg) or Σ nᵢ Fᵢ Δᵢ / (Σ nᵢ Fᵢ + ε) (Fisher-weighted).
    public var delta: [Float]
    /// Σ nᵢ Fᵢ / Σ nᵢ over the updates that carried a Fisher; nil when none did.
    public var meanFisher: [Float]?
    public var totalExamples: Int
    public var participants: [Participant]
    /// The ε added to every denominator (0 under FedAvg).
    public var epsilon: Float
}
