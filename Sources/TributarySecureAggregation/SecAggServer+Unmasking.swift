import Crypto
import Foundation

extension SecAggServer {
    /// The running sum with every self-mask of a contributor and every pairwise mask between a
    /// contributor and a client that dropped after sharing removed; pairwise masks between two
    /// contributors cancel by themselves.
    func unmaskedSum() throws -> SecAggSum {
        let bits = configuration.layout.bits
        var sum = maskedSum
        let contributors = maskedSenders.sorted()
        let dropped = shareSenders.subtracting(maskedSenders).sorted()
        for u in contributors {
            let seed = try rebuild(owner: u, from: selfMaskShares[u, default: []], secret: "self-mask seed")
            MaskExpansion.apply(seed: SymmetricKey(data: seed), to: &sum, subtract: true, bits: bits)
        }
        let salt = KeyDerivation.salt(roundID: configuration.roundID, graphSeed: configuration.graphSeed)
        for u in dropped {
            let raw = try rebuild(owner: u, from: maskingKeyShares[u, default: []], secret: "masking key")
            let privateKey = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: raw)
            guard let advertised = keys[u], privateKey.publicKey.rawRepresentation == advertised.maskingKey else {
                throw SecAggError(.reconstructionMismatch, "the masking key of client \(u) rebuilt from its neighbours' shares does not match the key it advertised")
            }
            for v in graph.neighbours(of: u) where maskedSenders.contains(v) {
                let peer = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: keys[v]!.maskingKey)
                let seed = try KeyDerivation.key(.pairwiseMask, privateKey: privateKey, peerKey: peer, between: u, and: v, salt: salt)
                // v added the mask when v < u and subtracted it otherwise: undo what v did.
                MaskExpansion.apply(seed: seed, to: &sum, subtract: v < u, bits: bits)
            }
        }
        return SecAggSum(ring: sum, contributors: contributors, droppedAfterSharing: dropped)
    }

    private func rebuild(owner: Int, from shares: [SecretShare], secret: String) throws -> [UInt8] {
        let threshold = configuration.threshold
        guard shares.count >= threshold else {
            throw SecAggError(
                .sharesBelowThreshold,
                "client \(owner)'s \(secret) has \(shares.count) revealed shares; rebuilding it needs the threshold \(threshold)")
        }
        guard let bytes = ShamirPolynomials.reconstruct(shares.map { (UInt64($0.holder + 1), $0.values) }, threshold: threshold) else {
            throw SecAggError(.reconstructionMismatch, "client \(owner)'s \(secret) does not rebuild from \(shares.count) shares (held by \(shares.map(\.holder).sorted()))")
        }
        return bytes
    }
}
