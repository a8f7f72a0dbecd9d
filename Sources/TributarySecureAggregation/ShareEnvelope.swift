import Crypto
import Foundation

/// The plaintext of an ``EncryptedShare`` and its sealing: sender (4 bytes LE) ‖ receiver (4 bytes
/// LE) ‖ the masking-key share (5 × 8 bytes LE) ‖ the self-mask share (5 × 8 bytes LE), sealed
/// with ChaCha20-Poly1305 under the pair's share key, nonce sender ‖ receiver ‖ 4 zero bytes (each
/// direction of a pair seals once per round under a fresh key), associated data "tributary.secagg.v1"
/// ‖ round id (8 bytes LE).
struct ShareEnvelope: Equatable {
    var from: Int
    var to: Int
    var maskingKeyShare: [UInt64]
    var selfMaskShare: [UInt64]

    static let plaintextBytes = 8 + 16 * ShamirPolynomials.elementsPerShare
    /// 12-byte nonce + plaintext + 16-byte tag.
    static let sealedBytes = 12 + plaintextBytes + 16

    func seal(key: SymmetricKey, roundID: UInt64) throws -> EncryptedShare {
        var plaintext = KeyDerivation.littleEndian(UInt32(from)) + KeyDerivation.littleEndian(UInt32(to))
        for value in maskingKeyShare + selfMaskShare { plaintext += KeyDerivation.littleEndian(value) }
        let box = try ChaChaPoly.seal(
            plaintext, using: key, nonce: Self.nonce(from: from, to: to), authenticating: Self.associatedData(roundID: roundID))
        return EncryptedShare(from: from, to: to, sealed: box.combined)
    }

    /// Opens `share` and checks that it names the sender and receiver it travelled between.
    static func open(_ share: EncryptedShare, key: SymmetricKey, roundID: UInt64) throws -> ShareEnvelope {
        let plaintext: Data
        do {
            let box = try ChaChaPoly.SealedBox(combined: share.sealed)
            plaintext = try ChaChaPoly.open(box, using: key, authenticating: associatedData(roundID: roundID))
        } catch {
            throw SecAggError(.shareDecryptionFailed, "the share from client \(share.from) to client \(share.to) (\(share.sealed.count) bytes) does not open with their agreed key: \(error)")
        }
        guard plaintext.count == plaintextBytes else {
            throw SecAggError(.invalidMessage, "the share from client \(share.from) holds \(plaintext.count) bytes; expected \(plaintextBytes)")
        }
        let bytes = [UInt8](plaintext)
        func word<T: FixedWidthInteger>(_ offset: Int, _: T.Type) -> T {
            bytes[offset..<offset + MemoryLayout<T>.size].reversed().reduce(T(0)) { $0 << 8 | T($1) }
        }
        let elements = (0..<2 * ShamirPolynomials.elementsPerShare).map { word(8 + 8 * $0, UInt64.self) }
        let envelope = ShareEnvelope(
            from: Int(word(0, UInt32.self)), to: Int(word(4, UInt32.self)),
            maskingKeyShare: Array(elements.prefix(ShamirPolynomials.elementsPerShare)),
            selfMaskShare: Array(elements.suffix(ShamirPolynomials.elementsPerShare)))
        guard envelope.from == share.from, envelope.to == share.to else {
            throw SecAggError(.invalidMessage, "a share addressed from client \(share.from) to \(share.to) says it is from \(envelope.from) to \(envelope.to)")
        }
        return envelope
    }

    private static func nonce(from: Int, to: Int) throws -> ChaChaPoly.Nonce {
        try ChaChaPoly.Nonce(data: KeyDerivation.littleEndian(UInt32(from)) + KeyDerivation.littleEndian(UInt32(to)) + Data(count: 4))
    }

    private static func associatedData(roundID: UInt64) -> Data {
        Data("tributary.secagg.v1".utf8) + KeyDerivation.littleEndian(roundID)
    }
}
