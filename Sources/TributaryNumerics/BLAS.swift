#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import COpenBLAS

/// The BLAS calls Tributary uses, over OpenBLAS's CBLAS interface. Row-major throughout.
public enum BLAS {
    /// C ← alpha · op(A) · op(B) + beta · C, with A m×k, B k×n, C m×n after the transposes.
    @inlinable
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }

    /// y ← alpha · x + y.
    @inlinable
    public static func axpy(_ alpha: Float, x: UnsafeBufferPointer<Float>, y: UnsafeMutableBufferPointer<Float>) {
        precondition(x.count == y.count, "axpy: lengths \(x.count) and \(y.count) differ")
        guard !x.isEmpty else { return }
        cblas_saxpy(blasint(x.count), alpha, x.baseAddress!, 1, y.baseAddress!, 1)
    }

    /// x ← alpha · x.
    @inlinable
    public static func scal(_ alpha: Float, _ x: UnsafeMutableBufferPointer<Float>) {
        guard !x.isEmpty else { return }
        cblas_sscal(blasint(x.count), alpha, x.baseAddress!, 1)
    }

    /// xᵀy.
    @inlinable
    public static func dot(_ x: UnsafeBufferPointer<Float>, _ y: UnsafeBufferPointer<Float>) -> Float {
        precondition(x.count == y.count, "dot: lengths \(x.count) and \(y.count) differ")
        guard !x.isEmpty else { return 0 }
        return cblas_sdot(blasint(x.count), x.baseAddress!, 1, y.baseAddress!, 1)
    }

    /// ‖x‖₂.
    @inlinable
    public static func nrm2(_ x: UnsafeBufferPointer<Float>) -> Float {
        guard !x.isEmpty else { return 0 }
        return cblas_snrm2(blasint(x.count), x.baseAddress!, 1)
    }

    /// y ← alpha · op(A) · x + beta · y, A m×n row-major.
    @inlinable
    public static func gemv(
        transpose: Bool, m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        x: UnsafePointer<Float>, beta: Float, y: UnsafeMutablePointer<Float>
    ) {
        cblas_sgemv(
            CblasRowMajor, transpose ? CblasTrans : CblasNoTrans, blasint(m), blasint(n), alpha, a, blasint(lda),
            x, 1, beta, y, 1)
    }

    /// Sets how many threads OpenBLAS may use. Edge agents and tests use 1.
    public static func setThreadCount(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// One OpenBLAS thread unless `OPENBLAS_NUM_THREADS` asks otherwise. The executables call it at
    /// start: the models are small, and OpenBLAS's own pool (one spinning thread per core in every
    /// process) oversubscribes the cores when agents and a coordinator share a host.
    public static func useOneThreadUnlessConfigured() {
        if getenv("OPENBLAS_NUM_THREADS") == nil { setThreadCount(1) }
    }

    /// Threads OpenBLAS will use.
    public static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// The kernel OpenBLAS picked for this CPU (e.g. "Prescott" when it fell back to SSE3, "SkylakeX").
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }
}
