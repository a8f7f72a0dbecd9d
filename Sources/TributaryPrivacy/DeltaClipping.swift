import TributaryNumerics

/// Per-client clipping of a model delta to an L2 bound C (DP-FedAvg, McMahan et al. 2018):
/// Δ ← Δ · min(1, C / ‖Δ‖₂), so one client moves the sum by at most C whatever it trained on.
public struct DeltaClipping: Sendable, Equatable {
    /// The L2 bound C, > 0 and finite.
    public let l2Bound: Float

    public init(l2Bound: Float) throws {
        guard l2Bound.isFinite, l2Bound > 0 else {
            throw PrivacyError(.invalidConfiguration, "delta L2 bound is \(l2Bound); it must be a finite number above 0")
        }
        self.l2Bound = l2Bound
    }

    /// The delta scaled into the L2 ball of radius C, and the factor applied (1 when it was inside).
    public func clip(_ delta: [Float]) throws -> (clipped: [Float], scale: Float) {
        try Self.requireFinite(delta, "delta")
        return Self.scaleIntoBall(delta, radius: l2Bound)
    }

    static func requireFinite(_ values: [Float], _ name: String) throws {
        if let index = values.firstIndex(where: { !$0.isFinite }) {
            throw PrivacyError(.nonFiniteInput, "\(name)[\(index)] is \(values[index]); clipping needs finite values")
        }
    }

    /// `values · min(1, radius / ‖values‖₂)`; the norm is summed in Double so a long vector of
    /// large values does not overflow Float.
    static func scaleIntoBall(_ values: [Float], radius: Float) -> (clipped: [Float], scale: Float) {
        let norm = values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        guard norm > Double(radius) else { return (values, 1) }
        let scale = Float(Double(radius) / norm)
        var clipped = values
        clipped.withUnsafeMutableBufferPointer { BLAS.scal(scale, $0) }
        return (clipped, scale)
    }
}
