import Crypto
import Dispatch
import Foundation

/// The unmasking computation, handed by ``SecAggServer`` to its shell as an action (it is the
/// round's heavy part: one mask expansion per contributor and one per pair of a dropped client and
/// a contributing neighbour), so the shell runs it off its actor or event loop, on as many cores as
/// it likes, and gives the outcome back with ``SecAggServer/unmaskingFinished(_:now:)``.
///
/// It removes every contributor's self-mask and every pairwise mask between a contributor and a
/// client that dropped after sharing; pairwise masks between two contributors cancel by themselves.
public struct SecAggUnmaskingJob: Sendable, Hashable {
    let configuration: SecAggConfiguration
    let graph: NeighbourGraph
    let maskedSum: [UInt64]
    /// Ascending.
    public let contributors: [Int]
    public let droppedAfterSharing: [Int]
    let keys: [Int: AdvertisedKeys]
    let selfMaskShares: [Int: [SecretShare]]
    let maskingKeyShares: [Int: [SecretShare]]

    /// The unmasked sum, computed on the calling thread (`workers` = 1) or split over `workers`
    /// threads, each expanding the masks of a share of the clients into its own vector.
    /// - Throws: `sharesBelowThreshold` or `reconstructionMismatch`, naming the client.
    public func run(workers: Int = 1) throws -> SecAggSum {
        // Rebuild every secret first (cheap), so a missing share fails before any expansion.
        let seeds = try contributors.map { try rebuild(owner: $0, from: selfMaskShares[$0, default: []], secret: "self-mask seed") }
        let droppedKeys = try droppedAfterSharing.map { try droppedMaskingKey($0) }
        // One task per contributor (its self-mask) and per dropped client (its pairwise masks).
        let taskCount = contributors.count + droppedAfterSharing.count
        let lanes = max(1, min(workers, taskCount))
        let bits = configuration.layout.bits
        let salt = KeyDerivation.salt(roundID: configuration.roundID, graphSeed: configuration.graphSeed)
        let contributing = Set(contributors)
        let partials = PartialSums(count: lanes)
        let failure = FirstFailure()
        let work: @Sendable (Int) -> Void = { lane in
            var sum = lane == 0 ? maskedSum : [UInt64](repeating: 0, count: maskedSum.count)
            do {
                for task in stride(from: lane, to: taskCount, by: lanes) {
                    if task < contributors.count {
                        MaskExpansion.apply(seed: SymmetricKey(data: seeds[task]), to: &sum, subtract: true, bits: bits)
                        continue
                    }
                    let (u, privateKey) = droppedKeys[task - contributors.count]
                    for v in graph.neighbours(of: u) where contributing.contains(v) {
                        let peer = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: keys[v]!.maskingKey)
                        let seed = try KeyDerivation.key(.pairwiseMask, privateKey: privateKey, peerKey: peer, between: u, and: v, salt: salt)
                        // v added the mask when v < u and subtracted it otherwise: undo what v did.
                        MaskExpansion.apply(seed: seed, to: &sum, subtract: v < u, bits: bits)
                    }
                }
            } catch {
                failure.record(error)
            }
            partials.store(sum, at: lane)
        }
        if lanes == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: lanes, execute: work) }
        if let error = failure.error { throw error }
        let mask = configuration.layout.mask
        var sum = partials.take(0)
        for lane in 1..<lanes {
            let partial = partials.take(lane)
            for i in sum.indices { sum[i] = (sum[i] &+ partial[i]) & mask }
        }
        return SecAggSum(ring: sum, contributors: contributors, droppedAfterSharing: droppedAfterSharing)
    }

    private func droppedMaskingKey(_ u: Int) throws -> (Int, Curve25519.KeyAgreement.PrivateKey) {
        let raw = try rebuild(owner: u, from: maskingKeyShares[u, default: []], secret: "masking key")
        let privateKey = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: raw)
        guard let advertised = keys[u], privateKey.publicKey.rawRepresentation == advertised.maskingKey else {
            throw SecAggError(.reconstructionMismatch, "the masking key of client \(u) rebuilt from its neighbours' shares does not match the key it advertised")
        }
        return (u, privateKey)
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

/// Each lane's vector, written once by its own lane.
private final class PartialSums: @unchecked Sendable {
    private var vectors: [[UInt64]]
    private let lock = NSLock()

    init(count: Int) { vectors = Array(repeating: [], count: count) }

    func store(_ vector: [UInt64], at lane: Int) { lock.withLock { vectors[lane] = vector } }

    func take(_ lane: Int) -> [UInt64] { lock.withLock { vectors[lane] } }
}

/// The first error any lane met.
private final class FirstFailure: @unchecked Sendable {
    private var first: Error?
    private let lock = NSLock()

    func record(_ error: Error) { lock.withLock { if first == nil { first = error } } }

    var error: Error? { lock.withLock { first } }
}
