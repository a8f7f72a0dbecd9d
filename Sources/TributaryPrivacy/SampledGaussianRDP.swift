/// Rényi DP of the sampled Gaussian mechanism (Mironov 2017; Mironov, Talwar, Zhang 2019):
/// each client joins a round with probability q (Poisson sampling) and the sum of clipped
/// contributions gets Gaussian noise of z times the clipping bound.
///
/// RDP(α) = log A_α / (α − 1), with A_α = E_{x∼μ₀}[(μ(x)/μ₀(x))^α], μ₀ = N(0, z²),
/// μ = (1 − q)μ₀ + q N(1, z²). An integer α expands A_α with the binomial theorem,
/// A_α = Σ_{k=0}^{α} C(α,k) (1−q)^{α−k} q^k exp((k² − k) / 2z²); a fractional α splits the
/// integral at z₀ = z² log(1/q − 1) + ½ and sums two series with erfc tails (Sec. 3.3 of
/// arXiv:1908.10530). Sums run in log space, so order 1024 with a small z does not overflow.
public enum SampledGaussianRDP {
    /// RDP at `order` of one round at sampling rate `q` with noise multiplier `z`
    /// (+∞ when z is 0 or the fractional series does not converge).
    public static func rdp(samplingRate q: Double, noiseMultiplier z: Double, order: Double) -> Double {
        if q == 0 { return 0 }
        if z == 0 || order.isInfinite { return .infinity }
        if q == 1 { return order / (2 * z * z) }
        let logA = order.rounded() == order ? logAInteger(q: q, z: z, order: Int(order)) : logAFractional(q: q, z: z, order: order)
        return logA / (order - 1)
    }

    static func logAInteger(q: Double, z: Double, order: Int) -> Double {
        var logA = -Double.infinity
        let logQ = LogSpace.logarithm(q), logOneMinusQ = LogSpace.logOnePlus(-q)
        let alpha = Double(order)
        for k in 0...order {
            let i = Double(k)
            let term = LogSpace.binomial(alpha, i) + i * logQ + (alpha - i) * logOneMinusQ + (i * i - i) / (2 * z * z)
            logA = LogSpace.add(logA, term)
        }
        return logA
    }

    static func logAFractional(q: Double, z: Double, order alpha: Double) -> Double {
        var logA0 = -Double.infinity, logA1 = -Double.infinity
        let z0 = z * z * LogSpace.logarithm(1 / q - 1) + 0.5
        let logQ = LogSpace.logarithm(q), logOneMinusQ = LogSpace.logOnePlus(-q)
        let logHalf = LogSpace.logarithm(0.5), root2z = 2.0.squareRoot() * z
        var lastS0 = -Double.infinity, lastS1 = -Double.infinity
        for step in 0..<1000 {
            let i = Double(step), j = alpha - i
            let logCoefficient = LogSpace.binomial(alpha, i)
            let logT0 = logCoefficient + i * logQ + j * logOneMinusQ
            let logT1 = logCoefficient + j * logQ + i * logOneMinusQ
            let logE0 = logHalf + LogSpace.logErfc((i - z0) / root2z)
            let logE1 = logHalf + LogSpace.logErfc((z0 - j) / root2z)
            let logS0 = logT0 + (i * i - i) / (2 * z * z) + logE0
            let logS1 = logT1 + (j * j - j) / (2 * z * z) + logE1
            logA0 = LogSpace.add(logA0, logS0)
            logA1 = LogSpace.add(logA1, logS1)
            let total = LogSpace.add(logA0, logA1)
            // Both series decreasing and their newest terms negligible next to the total.
            if logS0 < lastS0, logS1 < lastS1, max(logS0, logS1) < total - 30 { return total }
            lastS0 = logS0
            lastS1 = logS1
        }
        return .infinity
    }
}
