import Foundation

/// Phase 1, client → server: the client's two X25519 public keys (32 bytes each).
public struct AdvertisedKeys: Sendable, Hashable {
    public var client: Int
    /// Agreed with a neighbour's to encrypt the shares sent between them.
    public var encryptionKey: Data
    /// Agreed with a neighbour's to seed the pairwise mask between them.
    public var maskingKey: Data

    public init(client: Int, encryptionKey: Data, maskingKey: Data) {
        self.client = client
        self.encryptionKey = encryptionKey
        self.maskingKey = maskingKey
    }
}

/// One client's shares for one neighbour, sealed with ChaCha20-Poly1305 under their agreed key.
/// The server forwards it and cannot read it.
public struct EncryptedShare: Sendable, Hashable {
    public var from: Int
    public var to: Int
    /// nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes).
    public var sealed: Data

    public init(from: Int, to: Int, sealed: Data) {
        self.from = from
        self.to = to
        self.sealed = sealed
    }
}

/// A revealed share of one client's secret (its self-mask seed or its masking key), held by `holder`.
public struct SecretShare: Sendable, Hashable {
    public var owner: Int
    public var holder: Int
    /// ``ShamirPolynomials/elementsPerShare`` elements of GF(2^61 − 1), evaluated at holder + 1.
    public var values: [UInt64]

    public init(owner: Int, holder: Int, values: [UInt64]) {
        self.owner = owner
        self.holder = holder
        self.values = values
    }
}

/// What the server sends a client.
public enum SecAggServerMessage: Sendable, Hashable {
    /// Phase 2: the advertised keys of the client's neighbours that took part in phase 1.
    case shareKeys(neighbourKeys: [AdvertisedKeys])
    /// Phase 3: the shares the client's neighbours sent it in phase 2 (their senders are the
    /// neighbours it masks against).
    case maskedInput(shares: [EncryptedShare])
    /// Phase 4: whose self-mask shares (survivors) and whose masking-key shares (dropped after
    /// sharing) the client should reveal.
    case unmask(selfMaskOwners: [Int], maskingKeyOwners: [Int])
}

/// What a client sends the server.
public enum SecAggClientMessage: Sendable, Hashable {
    case advertiseKeys(AdvertisedKeys)
    case shareKeys(client: Int, shares: [EncryptedShare])
    case maskedInput(client: Int, vector: [UInt64])
    case unmask(client: Int, selfMaskShares: [SecretShare], maskingKeyShares: [SecretShare])

    /// The client the message says it comes from.
    public var client: Int {
        switch self {
        case .advertiseKeys(let keys): keys.client
        case .shareKeys(let client, _), .maskedInput(let client, _), .unmask(let client, _, _): client
        }
    }

    /// The phase that expects this message.
    public var phase: SecAggPhase {
        switch self {
        case .advertiseKeys: .advertiseKeys
        case .shareKeys: .shareKeys
        case .maskedInput: .maskedInput
        case .unmask: .unmasking
        }
    }
}
