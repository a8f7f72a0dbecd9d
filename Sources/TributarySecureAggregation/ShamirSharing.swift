/// Shamir secret sharing of 32-byte secrets over GF(2^61 − 1), threshold t: any t shares rebuild
/// the secret, fewer reveal nothing about it.
///
/// A secret is split into 5 field elements of 7 bytes each (the last holds 4), little-endian, so
/// each is < 2^56 < p. Each element gets its own polynomial of degree t − 1 whose constant term is
/// the element; a share is the 5 polynomials evaluated at the holder's x = holder index + 1.
public struct ShamirPolynomials: Sendable {
    public static let secretBytes = 32
    public static let chunkBytes = 7
    /// Field elements per share of a 32-byte secret.
    public static let elementsPerShare = (secretBytes + chunkBytes - 1) / chunkBytes

    /// coefficients[c] = [secret chunk c, a₁, …, a_{t−1}].
    private let coefficients: [[UInt64]]

    /// - Parameter generator: the source of the random coefficients (a CSPRNG outside tests).
    public init(secret: [UInt8], threshold: Int, using generator: inout some RandomNumberGenerator) {
        precondition(secret.count == Self.secretBytes, "Shamir: secret of \(secret.count) bytes, expected \(Self.secretBytes)")
        precondition(threshold >= 1, "Shamir: threshold \(threshold)")
        coefficients = Self.chunks(of: secret).map { constant in
            [constant] + (1..<threshold).map { _ in MersenneField.random(using: &generator) }
        }
    }

    /// The share for the holder at `x` (x ≠ 0), one element per chunk (Horner's rule).
    public func evaluate(at x: UInt64) -> [UInt64] {
        precondition(x != 0 && x < MersenneField.modulus, "Shamir: x = \(x)")
        return coefficients.map { poly in
            poly.reversed().reduce(UInt64(0)) { acc, c in MersenneField.add(MersenneField.multiply(acc, x), c) }
        }
    }

    static func chunks(of secret: [UInt8]) -> [UInt64] {
        stride(from: 0, to: secret.count, by: chunkBytes).map { start in
            secret[start..<min(start + chunkBytes, secret.count)].enumerated().reduce(UInt64(0)) { $0 | (UInt64($1.element) << (8 * UInt64($1.offset))) }
        }
    }

    /// Rebuilds a secret from at least `threshold` shares with distinct x (Lagrange at 0; the first
    /// `threshold` shares are used).
    /// - Returns: nil when the shares are too few, malformed, or rebuild chunks that cannot be a secret's.
    public static func reconstruct(_ shares: [(x: UInt64, values: [UInt64])], threshold: Int) -> [UInt8]? {
        let used = Array(shares.prefix(threshold))
        guard used.count == threshold, Set(used.map(\.x)).count == threshold,
              used.allSatisfy({ $0.x != 0 && $0.values.count == elementsPerShare && $0.values.allSatisfy { $0 < MersenneField.modulus } })
        else { return nil }
        let lagrange = used.indices.map { j in
            used.indices.reduce(UInt64(1)) { acc, m in
                guard m != j else { return acc }
                let term = MersenneField.multiply(used[m].x, MersenneField.inverse(MersenneField.subtract(used[m].x, used[j].x)))
                return MersenneField.multiply(acc, term)
            }
        }
        var secret: [UInt8] = []
        for chunk in 0..<elementsPerShare {
            let value = used.indices.reduce(UInt64(0)) { MersenneField.add($0, MersenneField.multiply(lagrange[$1], used[$1].values[chunk])) }
            let width = min(chunkBytes, secretBytes - chunk * chunkBytes)
            guard value >> (8 * UInt64(width)) == 0 else { return nil }
            secret += (0..<width).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
        }
        return secret
    }
}
