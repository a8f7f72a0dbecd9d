import Crypto
import Foundation

/// The keys two clients derive from an X25519 agreement: HKDF-SHA256 over the shared secret with
/// salt "tributary.secagg.v1" ‖ round id (8 bytes LE) ‖ graph seed (8 bytes LE) and info
/// purpose ‖ lower index (4 bytes LE) ‖ higher index (4 bytes LE), 32 bytes out.
enum KeyDerivation {
    enum Purpose: String {
        /// The seed of the pairwise mask between two clients (from their masking keys).
        case pairwiseMask = "pairwise-mask"
        /// The ChaCha20-Poly1305 key for shares sent between two clients (from their encryption keys).
        case shareEncryption = "share-encryption"
    }

    static func salt(roundID: UInt64, graphSeed: UInt64) -> Data {
        Data("tributary.secagg.v1".utf8) + littleEndian(roundID) + littleEndian(graphSeed)
    }

    static func key(
        _ purpose: Purpose, privateKey: Curve25519.KeyAgreement.PrivateKey, peerKey: Curve25519.KeyAgreement.PublicKey,
        between a: Int, and b: Int, salt: Data
    ) throws -> SymmetricKey {
        let shared: SharedSecret
        do { shared = try privateKey.sharedSecretFromKeyAgreement(with: peerKey) } catch {
            throw SecAggError(.invalidMessage, "the X25519 agreement between clients \(a) and \(b) failed (a low-order public key?): \(error)")
        }
        let info = Data(purpose.rawValue.utf8) + littleEndian(UInt32(min(a, b))) + littleEndian(UInt32(max(a, b)))
        return shared.hkdfDerivedSymmetricKey(using: SHA256.self, salt: salt, sharedInfo: info, outputByteCount: 32)
    }

    static func littleEndian<T: FixedWidthInteger>(_ value: T) -> Data {
        withUnsafeBytes(of: value.littleEndian) { Data($0) }
    }
}
