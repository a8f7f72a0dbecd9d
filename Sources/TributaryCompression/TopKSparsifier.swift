/// Top-k sparsification with error feedback: the residual carried from earlier rounds is added to
/// the delta, the k entries of largest magnitude are sent, and everything else stays in the
/// residual for the next round.
public struct TopKSparsifier: Sendable, Equatable {
    /// The fraction of entries sent, in (0, 1]; k = ⌈fraction · count⌉.
    public let fraction: Double

    public init(fraction: Double) throws {
        guard fraction > 0, fraction <= 1 else {
            throw CompressionError(.invalidConfiguration, "top-k fraction is \(fraction); it must lie in (0, 1]")
        }
        self.fraction = fraction
    }

    /// k for a vector of `count` elements.
    public func k(count: Int) -> Int { min(count, Int((fraction * Double(count)).rounded(.up))) }

    /// Sparsifies `delta + residual`; on return the residual holds what was not sent.
    /// Ties in magnitude keep the lower index, so the result is deterministic.
    public func encode(_ delta: [Float], residual: inout ErrorFeedbackResidual) throws -> SparseVector {
        guard residual.count == delta.count else {
            throw CompressionError(.mismatch, "residual holds \(residual.count) values and the delta \(delta.count); a residual belongs to one model")
        }
        if let index = delta.firstIndex(where: { !$0.isFinite }) {
            throw CompressionError(.nonFiniteInput, "delta[\(index)] to sparsify is \(delta[index]); top-k needs finite values")
        }
        var corrected = residual.values
        for index in corrected.indices { corrected[index] += delta[index] }
        let order = corrected.indices.sorted { a, b in
            let (x, y) = (abs(corrected[a]), abs(corrected[b]))
            return x != y ? x > y : a < b
        }
        let kept = order.prefix(k(count: delta.count)).sorted()
        let values = kept.map { corrected[$0] }
        for index in kept { corrected[index] = 0 }
        residual.values = corrected
        return SparseVector(count: delta.count, indices: kept.map(UInt32.init), values: values)
    }
}
