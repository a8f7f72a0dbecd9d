/// Per-client clipping of a diagonal Fisher: each entry capped at `perParameterCap`, then the
/// whole vector scaled into the L2 ball of radius `l2Bound`. The cap keeps one client from
/// claiming a huge weight on chosen parameters; the L2 bound is the sensitivity DP noise is
/// calibrated to.
public struct FisherClipping: Sendable, Equatable {
    /// The largest value any one entry may keep, > 0 and finite.
    public let perParameterCap: Float
    /// The L2 bound of the capped vector, > 0 and finite.
    public let l2Bound: Float

    public init(perParameterCap: Float, l2Bound: Float) throws {
        guard perParameterCap.isFinite, perParameterCap > 0 else {
            throw PrivacyError(.invalidConfiguration, "Fisher per-parameter cap is \(perParameterCap); it must be a finite number above 0")
        }
        guard l2Bound.isFinite, l2Bound > 0 else {
            throw PrivacyError(.invalidConfiguration, "Fisher L2 bound is \(l2Bound); it must be a finite number above 0")
        }
        self.perParameterCap = perParameterCap
        self.l2Bound = l2Bound
    }

    /// The capped and L2-scaled Fisher, and the L2 factor applied (1 when the capped vector was inside).
    public func clip(_ fisher: [Float]) throws -> (clipped: [Float], scale: Float) {
        try DeltaClipping.requireFinite(fisher, "Fisher")
        if let index = fisher.firstIndex(where: { $0 < 0 }) {
            throw PrivacyError(.negativeFisher, "Fisher[\(index)] is \(fisher[index]); a diagonal Fisher is never negative")
        }
        return DeltaClipping.scaleIntoBall(fisher.map { min($0, perParameterCap) }, radius: l2Bound)
    }
}
