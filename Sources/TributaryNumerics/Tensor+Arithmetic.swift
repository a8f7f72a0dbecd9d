/// Whole-tensor arithmetic, each a single BLAS call or a vectorised loop.
extension Tensor {
    /// `self += alpha * other` (BLAS saxpy).
    public mutating func add(_ other: Tensor, scaledBy alpha: Float = 1) {
        precondition(shape == other.shape, "add: shapes \(shape) and \(other.shape) differ")
        other.scalars.withUnsafeBufferPointer { x in
            scalars.withUnsafeMutableBufferPointer { y in
                BLAS.axpy(alpha, x: x, y: y)
            }
        }
    }

    /// `self *= alpha` (BLAS sscal).
    public mutating func scale(by alpha: Float) {
        scalars.withUnsafeMutableBufferPointer { BLAS.scal(alpha, $0) }
    }

    /// Dot product of the flattened tensors (BLAS sdot).
    public func dot(_ other: Tensor) -> Float {
        precondition(count == other.count, "dot: counts \(count) and \(other.count) differ")
        return scalars.withUnsafeBufferPointer { x in
            other.scalars.withUnsafeBufferPointer { y in BLAS.dot(x, y) }
        }
    }

    /// Euclidean norm of the flattened tensor (BLAS snrm2).
    public var norm: Float {
        scalars.withUnsafeBufferPointer { BLAS.nrm2($0) }
    }

    /// Matrix product of two rank-2 tensors (BLAS sgemm).
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
        precondition(rank == 2 && other.rank == 2, "matmul needs rank-2 tensors, got \(shape) and \(other.shape)")
        let m = transposeSelf ? shape[1] : shape[0]
        let k = transposeSelf ? shape[0] : shape[1]
        let k2 = transposeOther ? other.shape[1] : other.shape[0]
        let n = transposeOther ? other.shape[0] : other.shape[1]
        precondition(k == k2, "matmul: inner dimensions \(k) and \(k2) differ")
        var result = Tensor(shape: [m, n])
        scalars.withUnsafeBufferPointer { a in
            other.scalars.withUnsafeBufferPointer { b in
                result.scalars.withUnsafeMutableBufferPointer { c in
                    BLAS.gemm(
                        transposeA: transposeSelf, transposeB: transposeOther, m: m, n: n, k: k,
                        alpha: 1, a: a.baseAddress!, lda: shape[1], b: b.baseAddress!, ldb: other.shape[1],
                        beta: 0, c: c.baseAddress!, ldc: n)
                }
            }
        }
        return result
    }

    /// True when every scalar is finite (no NaN, no infinity).
    public var isFinite: Bool {
        scalars.withUnsafeBufferPointer { VectorMath.allFinite($0) }
    }
}
