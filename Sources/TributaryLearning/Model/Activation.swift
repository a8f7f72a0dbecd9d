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
        case .relu: for i in 0..<z.count where z[i] < 0 { z[i] = 0 }
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
        case .relu: for i in 0..<gradient.count where a[i] <= 0 { gradient[i] = 0 }
        case .tanh: for i in 0..<gradient.count { gradient[i] *= 1 - a[i] * a[i] }
        case .sigmoid: for i in 0..<gradient.count { gradient[i] *= a[i] * (1 - a[i]) }
        }
    }
}
