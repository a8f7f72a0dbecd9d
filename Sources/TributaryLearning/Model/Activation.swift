#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
import Darwin
#endif

/// Element-wise non-linearities a `Dense` layer applies after its affine map.
public enum Activation: String, Sendable, Codable, CaseIterable {
    case identity, relu, tanh, sigmoid

    /// a = f(z), in place.
    @inlinable
    func apply(_ z: UnsafeMutableBufferPointer<Float>) {
        switch self {
        case .identity: return
        case .relu: Self.reluForward(z)
        case .tanh: for i in 0..<z.count { z[i] = tanhf(z[i]) }
        case .sigmoid: for i in 0..<z.count { z[i] = 1 / (1 + expf(-z[i])) }
        }
    }

    /// dz = da ⊙ f'(z), written into `gradient` (which holds da on entry), using the stored
    /// activation output `a` (every derivative here is a function of the output).
    @inlinable
    func backward(output a: UnsafeBufferPointer<Float>, gradient: UnsafeMutableBufferPointer<Float>) {
        switch self {
        case .identity: return
        case .relu: Self.reluBackward(output: a, gradient: gradient)
        case .tanh: for i in 0..<gradient.count { gradient[i] *= 1 - a[i] * a[i] }
        case .sigmoid: for i in 0..<gradient.count { gradient[i] *= a[i] * (1 - a[i]) }
        }
    }

    /// z ← max(z, 0), eight lanes at a time.
    @inlinable
    static func reluForward(_ z: UnsafeMutableBufferPointer<Float>) {
        let n = z.count
        guard let base = z.baseAddress else { return }
        let raw = UnsafeMutableRawPointer(base)
        var i = 0
        while i + 8 <= n {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            raw.storeBytes(of: v.replacing(with: 0, where: v .< 0), toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        while i < n {
            base[i] = max(base[i], 0)
            i += 1
        }
    }

    /// g ← g where a > 0, else 0; eight lanes at a time.
    @inlinable
    static func reluBackward(output a: UnsafeBufferPointer<Float>, gradient g: UnsafeMutableBufferPointer<Float>) {
        let n = g.count
        guard let gBase = g.baseAddress, let aBase = a.baseAddress else { return }
        let gRaw = UnsafeMutableRawPointer(gBase), aRaw = UnsafeRawPointer(aBase)
        var i = 0
        while i + 8 <= n {
            let activation = aRaw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            let gradient = gRaw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            gRaw.storeBytes(of: gradient.replacing(with: 0, where: activation .<= 0), toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        while i < n {
            if aBase[i] <= 0 { gBase[i] = 0 }
            i += 1
        }
    }
}
