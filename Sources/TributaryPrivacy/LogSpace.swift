#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
import Darwin
#endif

/// Arithmetic on numbers held as their logarithms, for the accountant's sums of terms that
/// overflow a Double (exp((k² − k) / 2σ²) at order 1024).
enum LogSpace {
    /// log(eˣ + eʸ).
    static func add(_ x: Double, _ y: Double) -> Double {
        let (low, high) = (min(x, y), max(x, y))
        if low == -.infinity { return high }
        return log1p(exp(low - high)) + high
    }

    /// log C(n, k) for real n ≥ k ≥ 0 (a fractional order's binomial is |C(n, k)|).
    static func binomial(_ n: Double, _ k: Double) -> Double {
        logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1)
    }

    /// log |Γ(x)|.
    static func logGamma(_ x: Double) -> Double {
        #if canImport(Darwin)
        return Darwin.lgamma(x)
        #else
        var sign: Int32 = 0
        return lgamma_r(x, &sign)
        #endif
    }

    /// log erfc(x), accurate where erfc(x) underflows: the Laurent series at infinity
    /// (log erfc x ≈ −x² − log x − ½ log π − ½x⁻² + ⅝x⁻⁴ − 37/24 x⁻⁶ + 353/64 x⁻⁸) above x = 25.
    static func logErfc(_ x: Double) -> Double {
        guard x > 25 else { return log(erfc(x)) }
        let inverseSquare = 1 / (x * x)
        let series = inverseSquare * (-0.5 + inverseSquare * (0.625 + inverseSquare * (-37.0 / 24.0 + inverseSquare * 353.0 / 64.0)))
        return -log(Double.pi) / 2 - log(x) - x * x + series
    }

    static func logarithm(_ x: Double) -> Double { log(x) }
    static func logOnePlus(_ x: Double) -> Double { log1p(x) }
    static func expMinusOne(_ x: Double) -> Double { expm1(x) }
}
