import Crypto
import _CryptoExtras
import Foundation

/// The PRG that turns a 32-byte seed into a mask vector in Z_2^k: the ChaCha20 keystream
/// (RFC 8439 block function, key = seed, nonce = 12 zero bytes, block counter from 0), read as
/// little-endian words of k/8 bytes. Each seed is used for one mask only (self-mask seeds are
/// fresh per round; pairwise seeds are derived with the round in the salt), so the fixed nonce
/// never repeats under one key.
public enum MaskExpansion {
    /// Elements expanded per ChaCha20 call: 64 KiB of keystream for 64-bit rings.
    static let elementsPerChunk = 8_192

    /// vector ← vector ± PRG(seed), element-wise mod 2^bits.
    public static func apply(seed: SymmetricKey, to vector: inout [UInt64], subtract: Bool, bits: Int) {
        precondition(bits == 32 || bits == 64, "MaskExpansion: \(bits)-bit ring")
        let bytesPerElement = bits / 8
        let mask: UInt64 = bits == 64 ? .max : (1 << 32) - 1
        let zeros = Data(count: elementsPerChunk * bytesPerElement)
        let nonce = try! Insecure.ChaCha20CTR.Nonce(data: Data(count: 12))
        var start = 0
        while start < vector.count {
            let count = min(elementsPerChunk, vector.count - start)
            let block = UInt32(start * bytesPerElement / 64)
            // The counter counts 64-byte blocks; each chunk starts on a block boundary.
            let stream = try! Insecure.ChaCha20CTR.encrypt(
                zeros.prefix(count * bytesPerElement), using: seed, counter: .init(offset: block), nonce: nonce)
            stream.withUnsafeBytes { raw in
                vector.withUnsafeMutableBufferPointer { out in
                    for i in 0..<count {
                        let word: UInt64 = bits == 64
                            ? UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
                            : UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
                        out[start + i] = (subtract ? out[start + i] &- word : out[start + i] &+ word) & mask
                    }
                }
            }
            start += count
        }
    }
}
