import TributaryNumerics

extension StreamingAggregator {
    /// Divides the running sums out into Δ̄ and the mean Fisher. The aggregator is not changed.
    public func aggregate() throws -> AggregatedDelta {
        guard totalExamples > 0 else {
            throw AggregationError(.noUpdates, "round \(policy.roundID): no accepted update to aggregate")
        }
        var delta = weightedDeltaSum
        var epsilon: Float = 0
        switch rule {
        case .fedAvg:
            delta.withUnsafeMutableBufferPointer { BLAS.scal(1 / Float(totalExamples), $0) }
        case .fisherWeighted(let relative, let absolute):
            let meanWeightedFisher = weightedFisherSum.withUnsafeBufferPointer { VectorMath.sum($0) } / Float(weightedFisherSum.count)
            epsilon = relative * meanWeightedFisher + absolute
            weightedDeltaSum.withUnsafeBufferPointer { num in
                weightedFisherSum.withUnsafeBufferPointer { den in
                    delta.withUnsafeMutableBufferPointer { FoldKernels.divide(num, by: den, plus: epsilon, into: $0) }
                }
            }
        }
        return AggregatedDelta(
            delta: delta, meanFisher: meanFisher, totalExamples: totalExamples, participants: participants, epsilon: epsilon)
    }
}

extension StreamingAggregator {
    /// The history the next round's bounds start from: this round's norms, and its mean Fisher
    /// (Σ nᵢFᵢ / Σ nᵢ over the clipped Fisher values) as the reference F̄ when it had one.
    public var closingHistory: BoundsHistory {
        var next = history
        if let meanFisher { next.referenceFisher = meanFisher }
        return next
    }

    /// Σ nᵢFᵢ / Σ nᵢ over the updates that carried a Fisher; nil when none did.
    var meanFisher: [Float]? {
        guard fisherExamples > 0 else { return nil }
        var mean = weightedFisherSum
        mean.withUnsafeMutableBufferPointer { BLAS.scal(1 / Float(fisherExamples), $0) }
        return mean
    }
}
