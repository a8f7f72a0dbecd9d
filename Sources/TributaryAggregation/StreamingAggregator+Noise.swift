extension StreamingAggregator {
    /// Changes the running sums before they are divided out: differential privacy's noise, added
    /// to the sums the round releases (`deltaSum`: Σ wᵢΔᵢ, or Σ wᵢFᵢ⊙Δᵢ under Fisher-weighted
    /// aggregation; `fisherSum`: Σ wᵢFᵢ, empty when no update carried a Fisher). Works the same
    /// whether the sums were folded from plaintext updates or fed from secure aggregation.
    public mutating func perturbSums(deltaSum: (inout [Float]) -> Void, fisherSum: (inout [Float]) -> Void) {
        deltaSum(&weightedDeltaSum)
        if !weightedFisherSum.isEmpty { fisherSum(&weightedFisherSum) }
    }

    /// True when the round's sums include a Fisher sum (a Fisher-weighted rule, or FedAvg updates that carried one).
    public var hasFisherSum: Bool { !weightedFisherSum.isEmpty }
}
