/// IEEE 754 binary16 conversions by bit manipulation, so the fp16 format builds where the
/// standard library has no `Float16` (macOS on x86_64).
enum HalfPrecision {
    /// The largest finite half, 65504.
    static let greatestFiniteMagnitude: Float = 65504

    /// The half nearest to a finite `value` (ties to even), which the caller has clamped to ±65504.
    static func bits(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16(truncatingIfNeeded: (bits >> 16) & 0x8000)
        let exponent = Int((bits >> 23) & 0xFF) - 127 + 15
        var mantissa = bits & 0x7F_FFFF
        if exponent <= 0 {
            // A subnormal half (or zero): the implicit bit joins the mantissa, shifted into 10 bits.
            guard exponent >= -10 else { return sign }
            mantissa |= 0x80_0000
            let shift = UInt32(14 - exponent)
            return sign | UInt16(roundedShift(mantissa, by: shift))
        }
        // A carry out of the mantissa moves into the exponent, which is the correct rounding.
        return sign | UInt16(roundedShift(UInt32(exponent) << 23 | mantissa, by: 13))
    }

    /// The Float a half stands for (exact: every half is a Float).
    static func value(_ bits: UInt16) -> Float {
        let sign: UInt32 = UInt32(bits & 0x8000) << 16
        let exponent = UInt32((bits >> 10) & 0x1F)
        let mantissa = UInt32(bits & 0x3FF)
        switch exponent {
        case 0: return Float(sign: sign == 0 ? .plus : .minus, exponent: -24, significand: Float(mantissa))
        case 31: return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
        default: return Float(bitPattern: sign | (exponent + 127 - 15) << 23 | mantissa << 13)
        }
    }

    static func isFinite(_ bits: UInt16) -> Bool { (bits >> 10) & 0x1F != 31 }

    /// `x >> shift`, rounded to nearest with ties to even.
    private static func roundedShift(_ x: UInt32, by shift: UInt32) -> UInt32 {
        let kept = x >> shift
        let remainder = x & ((1 << shift) - 1)
        let half: UInt32 = 1 << (shift - 1)
        return remainder > half || (remainder == half && kept & 1 == 1) ? kept + 1 : kept
    }
}
