import TributaryNumerics

extension UpdateBounds {
    /// What clipping did to one update (1 and 0: nothing).
    public struct Clipping: Sendable, Equatable {
        /// The factor Δ was scaled by (≤ 1).
        public var deltaScale: Float = 1
        /// Fisher values lowered to their per-parameter cap.
        public var fisherCapped = 0
        /// The factor the (capped) Fisher was scaled by to meet the L2 bound (≤ 1).
        public var fisherScale: Float = 1

        public var clipped: Bool { deltaScale < 1 || fisherCapped > 0 || fisherScale < 1 }
    }

    /// The per-parameter Fisher caps of a round whose reference is `reference` (F̄):
    /// `fisherMultiple` × max(F̄ⱼ, `fisherFloor` × mean F̄). Empty when there is no cap: no
    /// multiple, no reference of `count` values, or a reference whose mean is not positive.
    public func fisherCaps(reference: [Float], count: Int) -> [Float] {
        guard let multiple = fisherMultiple, reference.count == count, count > 0 else { return [] }
        let mean = reference.withUnsafeBufferPointer { VectorMath.sum($0) } / Float(count)
        guard mean > 0, mean.isFinite else { return [] }
        let floor = fisherFloor * mean
        return reference.map { multiple * Swift.max($0, floor) }
    }

    /// Clips `update` in place (an update that passed ``UpdatePolicy/validate(_:)``, whose ‖Δ‖₂
    /// is `deltaNorm`): Δ to the adaptive norm bound, then each Fisher value to `caps` (when not
    /// empty), then the Fisher to its adaptive L2 bound. Buffers are copied only when clipped.
    public func clip(_ update: inout ClientUpdate, deltaNorm: Float, fisherNorm: Float?, caps: [Float], history: BoundsHistory) -> Clipping {
        var clipping = Clipping()
        if let bound = BoundsHistory.bound(history.deltaNorms, multiple: deltaNormMultiple, minimum: minimumHistory), deltaNorm > bound {
            clipping.deltaScale = bound / deltaNorm
            update.delta.withUnsafeMutableBufferPointer { BLAS.scal(clipping.deltaScale, $0) }
        }
        guard var fisher = update.fisher else { return clipping }
        var norm = fisherNorm ?? fisher.withUnsafeBufferPointer { VectorMath.sumOfSquares($0) }.squareRoot()
        if caps.count == fisher.count, fisher.indices.contains(where: { fisher[$0] > caps[$0] }) {
            for j in fisher.indices where fisher[j] > caps[j] {
                fisher[j] = caps[j]
                clipping.fisherCapped += 1
            }
            norm = fisher.withUnsafeBufferPointer { VectorMath.sumOfSquares($0) }.squareRoot()
        }
        if let bound = BoundsHistory.bound(history.fisherNorms, multiple: fisherNormMultiple, minimum: minimumHistory), norm > bound {
            clipping.fisherScale = bound / norm
            fisher.withUnsafeMutableBufferPointer { BLAS.scal(clipping.fisherScale, $0) }
        }
        if clipping.fisherCapped > 0 || clipping.fisherScale < 1 { update.fisher = fisher }
        return clipping
    }
}
