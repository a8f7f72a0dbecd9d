/// The SIMD loops aggregation runs over whole float buffers: one pass each, eight lanes at a time,
/// unaligned loads (Swift arrays are only 16-byte aligned). BLAS has no fused form of these.
enum FoldKernels {
    /// (every value finite, smallest value) in one pass.
    @inlinable
    static func finiteAndMinimum(_ x: UnsafeBufferPointer<Float>) -> (Bool, Float) {
        var zero = SIMD8<Float>()
        var low = SIMD8<Float>(repeating: .infinity)
        var i = 0
        let n = x.count
        if let base = x.baseAddress {
            while i + 8 <= n {
                let v = UnsafeRawPointer(base + i).loadUnaligned(as: SIMD8<Float>.self)
                zero += v * 0  // NaN for ±∞ or NaN, 0 otherwise
                low = pointwiseMin(low, v)
                i += 8
            }
        }
        var total = zero.sum()
        var minimum = low.min()
        while i < n {
            total += x[i] * 0
            minimum = Swift.min(minimum, x[i])
            i += 1
        }
        return (total == 0, minimum)
    }

    /// numerator += w·F⊙Δ; denominator += w·F (one read of Δ and F, one read-write of each sum).
    @inlinable
    static func foldFisherWeighted(
        weight w: Float, delta: UnsafeBufferPointer<Float>, fisher: UnsafeBufferPointer<Float>,
        numerator: UnsafeMutableBufferPointer<Float>, denominator: UnsafeMutableBufferPointer<Float>
    ) {
        let n = delta.count
        precondition(fisher.count == n && numerator.count == n && denominator.count == n, "foldFisherWeighted: lengths differ")
        guard n > 0 else { return }
        let d = UnsafeRawPointer(delta.baseAddress!), f = UnsafeRawPointer(fisher.baseAddress!)
        let num = UnsafeMutableRawPointer(numerator.baseAddress!), den = UnsafeMutableRawPointer(denominator.baseAddress!)
        let weight = SIMD8<Float>(repeating: w)
        var i = 0
        while i + 8 <= n {
            let offset = i * 4
            let nf = weight * f.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            let dv = d.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            let a = num.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            let b = den.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
            num.storeBytes(of: a + nf * dv, toByteOffset: offset, as: SIMD8<Float>.self)
            den.storeBytes(of: b + nf, toByteOffset: offset, as: SIMD8<Float>.self)
            i += 8
        }
        while i < n {
            let nf = w * fisher[i]
            numerator[i] += nf * delta[i]
            denominator[i] += nf
            i += 1
        }
    }

    /// out[j] = numerator[j] / (denominator[j] + epsilon).
    @inlinable
    static func divide(
        _ numerator: UnsafeBufferPointer<Float>, by denominator: UnsafeBufferPointer<Float>, plus epsilon: Float,
        into out: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(numerator.count == out.count && denominator.count == out.count, "divide: lengths differ")
        for j in 0..<out.count { out[j] = numerator[j] / (denominator[j] + epsilon) }
    }
}

@inlinable
func pointwiseMin(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
    a.replacing(with: b, where: b .< a)
}
