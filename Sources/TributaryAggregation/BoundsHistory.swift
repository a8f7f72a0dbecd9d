/// What the adaptive ``UpdateBounds`` learn from accepted updates, carried from round to round
/// by the coordinator: the recent delta and Fisher norms (as sent, before clipping: the median is
/// robust while fewer than half of them lie) and F̄, the newest closed round's mean Fisher.
/// Kept in memory: after a restart the bounds start again from the fixed ones.
public struct BoundsHistory: Sendable, Equatable {
    public var deltaNorms: NormRing
    public var fisherNorms: NormRing
    /// The fleet's mean Fisher of the newest closed round (empty: none yet).
    public var referenceFisher: [Float]

    public init(capacity: Int = UpdateBounds.default.history, referenceFisher: [Float] = []) {
        deltaNorms = NormRing(capacity: capacity)
        fisherNorms = NormRing(capacity: capacity)
        self.referenceFisher = referenceFisher
    }

    /// `multiple` × the median of `ring` once it holds `minimum` norms; nil otherwise.
    static func bound(_ ring: NormRing, multiple: Float?, minimum: Int) -> Float? {
        guard let multiple, ring.count >= minimum, let median = ring.median, median > 0 else { return nil }
        return multiple * median
    }
}
