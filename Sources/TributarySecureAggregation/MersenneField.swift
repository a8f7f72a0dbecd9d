/// Arithmetic in GF(p) with p = 2^61 − 1 (a Mersenne prime, so reduction is a shift and an add).
/// Elements are `UInt64` in 0..<p.
public enum MersenneField {
    public static let modulus: UInt64 = (1 << 61) - 1

    @inline(__always) static func add(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let s = a + b
        return s >= modulus ? s - modulus : s
    }

    @inline(__always) static func subtract(_ a: UInt64, _ b: UInt64) -> UInt64 {
        a >= b ? a - b : a + modulus - b
    }

    @inline(__always) static func multiply(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (high, low) = a.multipliedFullWidth(by: b)
        let r = (low & modulus) + ((low >> 61) | (high << 3))
        return r >= modulus ? r - modulus : r
    }

    static func power(_ base: UInt64, _ exponent: UInt64) -> UInt64 {
        var result: UInt64 = 1, b = base, e = exponent
        while e > 0 {
            if e & 1 == 1 { result = multiply(result, b) }
            b = multiply(b, b)
            e >>= 1
        }
        return result
    }

    /// The multiplicative inverse of a non-zero element (Fermat: a^(p−2)).
    static func inverse(_ a: UInt64) -> UInt64 {
        precondition(a != 0, "MersenneField.inverse(0)")
        return power(a, modulus - 2)
    }

    /// A uniform element, by rejection from 61 random bits.
    static func random(using generator: inout some RandomNumberGenerator) -> UInt64 {
        while true {
            let x = generator.next() & modulus
            if x < modulus { return x }
        }
    }
}
