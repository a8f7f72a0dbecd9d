import Crypto
import Foundation

/// One client of a secure-aggregation round as a value with no I/O: each server message goes in,
/// the client's answer comes out (or a named refusal, after which the client takes no further part).
///
/// All of its randomness (two X25519 key pairs, the self-mask seed b, the Shamir coefficients) is
/// drawn from the generator at construction, so the machine is deterministic afterwards; outside
/// tests the generator must be a CSPRNG (`SystemRandomNumberGenerator`, the default).
///
/// What it checks, as an honest client must: it shares and masks only if at least `threshold`
/// neighbours take part; it opens only shares sealed for it by a neighbour; in unmasking it refuses
/// a request that names one client for both its self-mask share and its masking-key share
/// (`bothSharesRequested`) and answers unmasking once.
public struct SecAggClient: Sendable {
    public let configuration: SecAggConfiguration
    public let index: Int
    private let graph: NeighbourGraph
    private let neighbours: Set<Int>
    private let encryptionKey: Curve25519.KeyAgreement.PrivateKey
    private let maskingKey: Curve25519.KeyAgreement.PrivateKey
    private let selfMaskSeed: [UInt8]
    private let maskingKeyPolynomials: ShamirPolynomials
    private let selfMaskPolynomials: ShamirPolynomials
    private var input: [UInt64]?
    private var state: State = .created

    private enum State: Sendable {
        case created
        case advertised
        /// Phase 2 done: the neighbours' keys, by client.
        case shared([Int: AdvertisedKeys])
        /// Phase 3 done: the shares it holds, by owner.
        case masked([Int: ShareEnvelope])
        case finished
        case failed(SecAggError)
    }

    /// - Parameters:
    ///   - input: this client's values, one array per segment of `configuration.layout`; or nil
    ///     when it is not known yet (the client may take part in the first two phases while it
    ///     trains, and give its input with ``provideInput(_:)`` before the masked-input request).
    /// - Throws: `invalidConfiguration` for an index out of range, `invalidInput` for input that does not fit the layout.
    public init(
        configuration: SecAggConfiguration, index: Int, input: [[Float]]?,
        randomness: inout some RandomNumberGenerator
    ) throws {
        guard (0..<configuration.clientCount).contains(index) else {
            throw SecAggError(.invalidConfiguration, "client index is \(index); the round has clients 0..<\(configuration.clientCount)")
        }
        self.configuration = configuration
        self.index = index
        self.input = try input.map(configuration.layout.encode)
        graph = NeighbourGraph(clientCount: configuration.clientCount, degree: configuration.neighbourCount, seed: configuration.graphSeed)
        neighbours = Set(graph.neighbours(of: index))
        func bytes() -> [UInt8] { (0..<4).flatMap { _ in withUnsafeBytes(of: randomness.next().littleEndian, Array.init) } }
        encryptionKey = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: bytes())
        let maskingKeyBytes = bytes()
        maskingKey = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: maskingKeyBytes)
        selfMaskSeed = bytes()
        maskingKeyPolynomials = ShamirPolynomials(secret: maskingKeyBytes, threshold: configuration.threshold, using: &randomness)
        selfMaskPolynomials = ShamirPolynomials(secret: selfMaskSeed, threshold: configuration.threshold, using: &randomness)
    }

    /// A client whose randomness comes from the system's CSPRNG.
    public init(configuration: SecAggConfiguration, index: Int, input: [[Float]]?) throws {
        var system = SystemRandomNumberGenerator()
        try self.init(configuration: configuration, index: index, input: input, randomness: &system)
    }

    /// Gives the client its input (if it had none at construction), before the masked-input request.
    /// - Throws: `invalidInput` when it does not fit the layout or the client has already sent its masked input.
    public mutating func provideInput(_ values: [[Float]]) throws {
        switch state {
        case .masked, .finished, .failed:
            throw SecAggError(.invalidInput, "client \(index) was given its input after it had sent its masked input")
        default:
            input = try configuration.layout.encode(values)
        }
    }

    /// Phase 1: the client's public keys.
    public mutating func start() throws -> SecAggClientMessage {
        guard case .created = state else { throw SecAggError(.unexpectedMessage, "client \(index) was asked to start twice") }
        state = .advertised
        return .advertiseKeys(AdvertisedKeys(
            client: index, encryptionKey: encryptionKey.publicKey.rawRepresentation, maskingKey: maskingKey.publicKey.rawRepresentation))
    }

    /// The answer to the server's message for the next phase.
    /// - Throws: a ``SecAggError`` naming what this client refuses; after it, every call throws it again.
    public mutating func receive(_ message: SecAggServerMessage) throws -> SecAggClientMessage {
        if case .failed(let error) = state { throw error }
        if case .maskedInput = message, case .shared = state, input == nil {
            // Not a refusal: the shell gives the input (``provideInput(_:)``) and delivers the request again.
            throw SecAggError(.invalidInput, "client \(index) was asked for its masked input before it was given its input")
        }
        do {
            switch (message, state) {
            case (.shareKeys(let keys), .advertised): return try shareKeys(keys)
            case (.maskedInput(let shares), .shared(let keys)): return try maskInput(shares, keys: keys)
            case (.unmask(let selfMaskOwners, let maskingKeyOwners), .masked(let held)):
                return try unmask(selfMaskOwners: selfMaskOwners, maskingKeyOwners: maskingKeyOwners, held: held)
            default:
                throw SecAggError(.unexpectedMessage, "client \(index) received \(Self.name(of: message)) in state \(Self.name(of: state))")
            }
        } catch let error as SecAggError {
            state = .failed(error)
            throw error
        }
    }

    private mutating func shareKeys(_ keys: [AdvertisedKeys]) throws -> SecAggClientMessage {
        var byClient: [Int: AdvertisedKeys] = [:]
        for key in keys {
            guard neighbours.contains(key.client), byClient.updateValue(key, forKey: key.client) == nil else {
                throw SecAggError(.invalidMessage, "client \(index) was sent keys of client \(key.client), which is not a neighbour or appears twice")
            }
        }
        guard byClient.count >= configuration.threshold else {
            throw SecAggError(.tooFewNeighbours, "client \(index) has \(byClient.count) neighbours left after advertising keys; it shares only with at least the threshold \(configuration.threshold)")
        }
        let salt = KeyDerivation.salt(roundID: configuration.roundID, graphSeed: configuration.graphSeed)
        var shares: [EncryptedShare] = []
        for neighbour in byClient.keys.sorted() {
            let peer = try publicKey(byClient[neighbour]!.encryptionKey, of: neighbour)
            let key = try KeyDerivation.key(.shareEncryption, privateKey: encryptionKey, peerKey: peer, between: index, and: neighbour, salt: salt)
            let x = UInt64(neighbour + 1)
            let envelope = ShareEnvelope(
                from: index, to: neighbour,
                maskingKeyShare: maskingKeyPolynomials.evaluate(at: x), selfMaskShare: selfMaskPolynomials.evaluate(at: x))
            shares.append(try envelope.seal(key: key, roundID: configuration.roundID))
        }
        state = .shared(byClient)
        return .shareKeys(client: index, shares: shares)
    }

    private mutating func maskInput(_ shares: [EncryptedShare], keys: [Int: AdvertisedKeys]) throws -> SecAggClientMessage {
        let salt = KeyDerivation.salt(roundID: configuration.roundID, graphSeed: configuration.graphSeed)
        var held: [Int: ShareEnvelope] = [:]
        for share in shares {
            guard share.to == index, let keys = keys[share.from], held[share.from] == nil else {
                throw SecAggError(.invalidMessage, "client \(index) was forwarded a share from client \(share.from) to client \(share.to), which is not from a neighbour that advertised keys, not for it, or a second one")
            }
            let peer = try publicKey(keys.encryptionKey, of: share.from)
            let key = try KeyDerivation.key(.shareEncryption, privateKey: encryptionKey, peerKey: peer, between: index, and: share.from, salt: salt)
            held[share.from] = try ShareEnvelope.open(share, key: key, roundID: configuration.roundID)
        }
        guard held.count >= configuration.threshold else {
            throw SecAggError(.tooFewNeighbours, "client \(index) holds shares from \(held.count) neighbours; it masks its input only against at least the threshold \(configuration.threshold)")
        }
        guard var vector = input else { preconditionFailure("checked by receive") }
        input = nil
        let bits = configuration.layout.bits
        MaskExpansion.apply(seed: SymmetricKey(data: selfMaskSeed), to: &vector, subtract: false, bits: bits)
        for neighbour in held.keys.sorted() {
            let peer = try publicKey(keys[neighbour]!.maskingKey, of: neighbour)
            let seed = try KeyDerivation.key(.pairwiseMask, privateKey: maskingKey, peerKey: peer, between: index, and: neighbour, salt: salt)
            // The lower index adds the pairwise mask and the higher subtracts it, so it cancels in the sum.
            MaskExpansion.apply(seed: seed, to: &vector, subtract: index > neighbour, bits: bits)
        }
        state = .masked(held)
        return .maskedInput(client: index, vector: vector)
    }

    private mutating func unmask(selfMaskOwners: [Int], maskingKeyOwners: [Int], held: [Int: ShareEnvelope]) throws -> SecAggClientMessage {
        if let both = Set(selfMaskOwners).intersection(maskingKeyOwners).min() {
            throw SecAggError(.bothSharesRequested, "client \(index) refuses to unmask: the server asks for both the self-mask share and the masking-key share of client \(both), which together reveal its input")
        }
        for owner in selfMaskOwners + maskingKeyOwners where held[owner] == nil {
            throw SecAggError(.noShareHeld, "client \(index) holds no share of client \(owner); the unmasking request names it")
        }
        guard Set(selfMaskOwners).count == selfMaskOwners.count, Set(maskingKeyOwners).count == maskingKeyOwners.count else {
            throw SecAggError(.invalidMessage, "client \(index) was asked for the same client's share twice")
        }
        state = .finished
        return .unmask(
            client: index,
            selfMaskShares: selfMaskOwners.map { SecretShare(owner: $0, holder: index, values: held[$0]!.selfMaskShare) },
            maskingKeyShares: maskingKeyOwners.map { SecretShare(owner: $0, holder: index, values: held[$0]!.maskingKeyShare) })
    }

    private func publicKey(_ raw: Data, of client: Int) throws -> Curve25519.KeyAgreement.PublicKey {
        do { return try Curve25519.KeyAgreement.PublicKey(rawRepresentation: raw) } catch {
            throw SecAggError(.invalidMessage, "client \(client)'s advertised key has \(raw.count) bytes; an X25519 key has 32")
        }
    }

    private static func name(of message: SecAggServerMessage) -> String {
        switch message {
        case .shareKeys: "the shareKeys request"
        case .maskedInput: "the maskedInput request"
        case .unmask: "the unmask request"
        }
    }

    private static func name(of state: State) -> String {
        switch state {
        case .created: "created (keys not advertised)"
        case .advertised: "advertised"
        case .shared: "shared"
        case .masked: "masked"
        case .finished: "finished"
        case .failed: "failed"
        }
    }
}
