/// Δ = candidate − base over flat parameter buffers: the one place an update's delta is computed
/// (the incremental job's report and result, which an edge sends and a simulation folds, and the
/// delta release a coordinator sends to clients holding the parent version).
public enum ParameterDelta {
    /// `candidate − base`, element by element (one BLAS axpy, rounded as a plain subtraction).
    public static func between(candidate: [Float], base: [Float]) -> [Float] {
        precondition(candidate.count == base.count, "delta of \(candidate.count) parameters against a base of \(base.count)")
        var delta = candidate
        base.withUnsafeBufferPointer { base in
            delta.withUnsafeMutableBufferPointer { delta in BLAS.axpy(-1, x: base, y: delta) }
        }
        return delta
    }

    /// `candidate − base` when it takes `base` to `candidate` exactly: `base[i] + Δ[i]` (one
    /// Float32 addition, as a receiver applies a delta) has `candidate[i]`'s bits for every i, so
    /// a model sent as a delta is the same model, bit for bit. Always so when each element moved
    /// by less than its own size (Sterbenz); nil when some element cannot be reached that way (a
    /// weight that shrank past half its size to a value off the sum's grid): send the full model.
    public static func exact(candidate: [Float], base: [Float]) -> [Float]? {
        let delta = between(candidate: candidate, base: base)
        for index in delta.indices where (base[index] + delta[index]).bitPattern != candidate[index].bitPattern {
            return nil
        }
        return delta
    }
}
