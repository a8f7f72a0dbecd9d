/// A seeded, serialisable random number generator (xoshiro256**, seeded through SplitMix64).
///
/// Its whole state is four `UInt64`s, so a checkpoint can store it and a resumed job draws
/// exactly the numbers the interrupted one would have drawn.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Equatable, Hashable, Codable {
    public private(set) var state: [UInt64]

    public init(seed: UInt64) {
        var splitMix = seed
        var words: [UInt64] = []
        for _ in 0..<4 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            words.append(z ^ (z >> 31))
        }
        state = words
    }

    /// Restores a generator from a saved state. Returns nil for a state that is not four words
    /// or is all zero (xoshiro's one forbidden state).
    public init?(state: [UInt64]) {
        guard state.count == 4, state.contains(where: { $0 != 0 }) else { return nil }
        self.state = state
    }

    public mutating func next() -> UInt64 {
        let result = rotl(state[1] &* 5, 7) &* 9
        let t = state[1] << 17
        state[2] ^= state[0]
        state[3] ^= state[1]
        state[1] ^= state[2]
        state[0] ^= state[3]
        state[2] ^= t
        state[3] = rotl(state[3], 45)
        return result
    }

    /// A uniform float in [0, 1).
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * (1.0 / Float(1 << 24))
    }

    /// A standard normal sample (Box–Muller).
    public mutating func nextGaussian() -> Float {
        var u1 = Double(next() >> 11) * (1.0 / Double(UInt64(1) << 53))
        if u1 < 1e-300 { u1 = 1e-300 }
        let u2 = Double(next() >> 11) * (1.0 / Double(UInt64(1) << 53))
        return Float((-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2))
    }

    /// A uniform integer in 0..<upperBound.
    public mutating func nextInt(below upperBound: Int) -> Int {
        precondition(upperBound > 0, "nextInt(below: \(upperBound))")
        return Int(next(upperBound: UInt64(upperBound)))
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}

#if canImport(Glibc)
import Glibc
@usableFromInline func _log(_ x: Double) -> Double { Glibc.log(x) }
@usableFromInline func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#elseif canImport(Musl)
import Musl
@usableFromInline func _log(_ x: Double) -> Double { Musl.log(x) }
@usableFromInline func _cos(_ x: Double) -> Double { Musl.cos(x) }
#else
import Darwin
@usableFromInline func _log(_ x: Double) -> Double { Darwin.log(x) }
@usableFromInline func _cos(_ x: Double) -> Double { Darwin.cos(x) }
#endif
