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
}
