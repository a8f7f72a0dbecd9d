/// Vectorised loops over float buffers for what BLAS does not offer (element-wise products,
/// reductions with SIMD accumulators). A plain scalar float sum does not vectorise; SIMD8 does.
public enum VectorMath {
    /// Σ x.
    @inlinable
    public static func sum(_ x: UnsafeBufferPointer<Float>) -> Float {
        reduce(x, lanes: { $0 }, scalar: { $0 })
    }

    /// Σ x².
    @inlinable
    public static func sumOfSquares(_ x: UnsafeBufferPointer<Float>) -> Float {
        reduce(x, lanes: { $0 * $0 }, scalar: { $0 * $0 })
    }

    /// True when no element is NaN or infinite.
    @inlinable
    public static func allFinite(_ x: UnsafeBufferPointer<Float>) -> Bool {
        // x * 0 is 0 for finite x and NaN otherwise; one NaN poisons the sum.
        reduce(x, lanes: { $0 * 0 }, scalar: { $0 * 0 }) == 0
    }

    /// Σ f(x): eight lanes at a time into a SIMD8 accumulator, then the tail one by one.
    /// `lanes` and `scalar` are the same function on eight floats and on one.
    @inlinable
    static func reduce(
        _ x: UnsafeBufferPointer<Float>,
        lanes: (SIMD8<Float>) -> SIMD8<Float>,
        scalar: (Float) -> Float
    ) -> Float {
        var acc = SIMD8<Float>()
        var i = 0
        let n = x.count
        let base = x.baseAddress
        while i + 8 <= n {
            acc += lanes(UnsafeRawPointer(base! + i).loadUnaligned(as: SIMD8<Float>.self))
            i += 8
        }
        var total = acc.sum()
        while i < n {
            total += scalar(x[i])
            i += 1
        }
        return total
    }

    /// y[i] += a[i] * b[i].
    @inlinable
    public static func addProduct(
        _ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(a.count == y.count && b.count == y.count, "addProduct: lengths differ")
        for i in 0..<y.count { y[i] += a[i] * b[i] }
    }

    /// y[i] = x[i]².
    @inlinable
    public static func square(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        precondition(x.count == y.count, "square: lengths differ")
        for i in 0..<y.count { y[i] = x[i] * x[i] }
    }
}
