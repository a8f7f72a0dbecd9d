/// Real values as integers in the ring Z_2^k (k = 32 or 64), chosen so that the sum of up to
/// `maxSummands` encoded values cannot wrap.
///
/// A value v is clipped to [−clip, clip] and encoded as q = round(v · scale), stored in two's
/// complement mod 2^k. `scale` is the largest power of two with
/// maxSummands · ⌈clip · scale⌉ ≤ 2^(k−1) − 1, so every partial sum of at most `maxSummands`
/// encodings stays in (−2^(k−1), 2^(k−1)) and decodes to Σ qᵢ exactly. The decoded sum differs
/// from the sum of the clipped values by at most `maxSummands / (2 · scale)` (one half-step of
/// rounding per summand): ``sumErrorBound(summands:)``.
public struct FixedPointEncoding: Sendable, Hashable {
    /// Bits of the ring: 32 or 64.
    public let bits: Int
    /// Values are clipped to [−clip, clip] before encoding.
    public let clip: Double
    /// Encoded integer = round(value · scale); a power of two.
    public let scale: Double
    /// The most values whose sum is guaranteed not to wrap.
    public let maxSummands: Int

    /// - Throws: `invalidConfiguration` for bits other than 32 or 64, a clip that is not positive
    ///   and finite, fewer than 1 summand, or a ring too small to give the clip any resolution.
    public init(bits: Int, clip: Double, maxSummands: Int) throws {
        guard bits == 32 || bits == 64 else {
            throw SecAggError(.invalidConfiguration, "fixed-point ring bits is \(bits); use 32 or 64")
        }
        guard clip.isFinite, clip > 0 else {
            throw SecAggError(.invalidConfiguration, "fixed-point clip is \(clip); it must be positive and finite")
        }
        guard maxSummands >= 1 else {
            throw SecAggError(.invalidConfiguration, "fixed-point maxSummands is \(maxSummands); it must be at least 1")
        }
        let limit = Double(UInt64(1) << UInt64(bits - 1)) - 1
        guard Double(maxSummands) <= limit else {
            throw SecAggError(.invalidConfiguration, "fixed-point maxSummands is \(maxSummands); a \(bits)-bit ring holds at most \(Int64(limit)) summands")
        }
        var exponent = Int((limit / (Double(maxSummands) * clip)).exponent)
        func fits(_ e: Int) -> Bool { Double(maxSummands) * (clip * Double(sign: .plus, exponent: e, significand: 1)).rounded(.up) <= limit }
        while !fits(exponent) { exponent -= 1 }
        let scale = Double(sign: .plus, exponent: exponent, significand: 1)
        guard clip * scale >= 1 else {
            throw SecAggError(
                .invalidConfiguration,
                "fixed-point clip \(clip) with \(maxSummands) summands leaves no resolution in a \(bits)-bit ring (scale \(scale)); lower the clip or the summands, or use 64 bits")
        }
        self.bits = bits
        self.clip = clip
        self.scale = scale
        self.maxSummands = maxSummands
    }

    /// The ring's modulus minus one, as a mask.
    public var mask: UInt64 { bits == 64 ? .max : (UInt64(1) << UInt64(bits)) - 1 }

    /// The encoding of `value` (clipped). Throws `invalidInput` for NaN or an infinity.
    public func encode(_ value: Float) throws -> UInt64 {
        guard value.isFinite else { throw SecAggError(.invalidInput, "value \(value) is not finite; only finite values can be encoded") }
        let clipped = min(max(Double(value), -clip), clip)
        let q = Int64((clipped * scale).rounded())
        return UInt64(bitPattern: q) & mask
    }

    /// The real value of a ring element that is a sum of at most `maxSummands` encodings.
    public func decode(_ element: UInt64) -> Double {
        let signed: Int64
        if bits == 64 {
            signed = Int64(bitPattern: element)
        } else {
            let half = UInt64(1) << UInt64(bits - 1)
            let e = element & mask
            signed = e >= half ? Int64(e) - Int64(UInt64(1) << UInt64(bits)) : Int64(e)
        }
        return Double(signed) / scale
    }

    /// How far a decoded sum of `summands` encodings may be from the sum of the clipped values.
    public func sumErrorBound(summands: Int) -> Double { Double(summands) * 0.5 / scale }
}
