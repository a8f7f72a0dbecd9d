import Foundation
import TributarySecureAggregation

/// Envelope.secure_aggregation: one message of a secure round's four phases (secagg.proto),
/// carrying the secure-aggregation machines' own messages.
public struct SecureAggregationMessage: Sendable, Hashable {
    public enum Body: Sendable, Hashable {
        /// Coordinator → client: the next phase's request.
        case toClient(SecAggServerMessage)
        /// Client → coordinator: the client's answer for a phase.
        case fromClient(SecAggClientMessage)
        /// Client → coordinator: the client refuses and takes no further part (`code` is a
        /// ``SecAggError`` code: bothSharesRequested, tooFewNeighbours, shareDecryptionFailed,
        /// noShareHeld or invalidMessage).
        case refusal(client: Int, code: String, reason: String)
        /// Coordinator → client: the round aborted in `phase`; the client forgets its secrets.
        case abort(phase: SecAggPhase, code: String, reason: String)
    }

    /// The round (RoundOffer.round_id) the message belongs to.
    public var roundID: UInt64
    public var body: Body
    /// Bytes per element of a masked input's vector: 4 or 8 (the ring's bits / 8).
    public var elementBytes: Int

    public init(roundID: UInt64, body: Body, elementBytes: Int = 8) {
        self.roundID = roundID
        self.body = body
        self.elementBytes = elementBytes
    }

    /// True for the messages a client sends.
    public var isFromClient: Bool {
        switch body {
        case .fromClient, .refusal: true
        case .toClient, .abort: false
        }
    }

    /// A short name for logs and errors.
    public var phaseName: String {
        switch body {
        case .toClient(.shareKeys): "ShareKeysRequest"
        case .toClient(.maskedInput): "MaskedInputRequest"
        case .toClient(.unmask): "UnmaskRequest"
        case .fromClient(.advertiseKeys): "AdvertiseKeys"
        case .fromClient(.shareKeys): "ShareKeys"
        case .fromClient(.maskedInput): "MaskedInput"
        case .fromClient(.unmask): "UnmaskResponse"
        case .refusal: "SecAggRefusal"
        case .abort: "SecAggAbort"
        }
    }

    func validate() throws {
        try requireNonZero(roundID, "SecAggMessage.round_id")
        try require(elementBytes == 4 || elementBytes == 8, .invalidValue, "MaskedInput.element_bytes is \(elementBytes); use 4 or 8")
        if case .fromClient(.maskedInput(_, let vector)) = body, elementBytes == 4 {
            try require(vector.allSatisfy { $0 <= UInt64(UInt32.max) }, .invalidValue, "MaskedInput.vector holds an element above 2^32 − 1 with element_bytes 4")
        }
        if case .refusal(_, _, let reason) = body {
            try require(reason.utf8.count <= 1024, .invalidValue, "SecAggRefusal.reason is \(reason.utf8.count) bytes; at most 1024 allowed")
        }
    }
}

// MARK: - Proto mapping

extension SecureAggregationMessage {
    private static let refusalCodes: [(String, Tributary_V1_SecAggRefusalCode)] = [
        ("bothSharesRequested", .secAggRefusalBothSharesRequested), ("tooFewNeighbours", .secAggRefusalTooFewNeighbours),
        ("shareDecryptionFailed", .secAggRefusalShareDecryptionFailed), ("noShareHeld", .secAggRefusalNoShareHeld),
        ("invalidMessage", .secAggRefusalInvalidMessage),
    ]
    private static let phases: [(SecAggPhase, Tributary_V1_SecAggPhase)] = [
        (.advertiseKeys, .advertiseKeys), (.shareKeys, .shareKeys), (.maskedInput, .maskedInput), (.unmasking, .unmasking),
    ]

    init(proto: Tributary_V1_SecAggMessage) throws {
        func index(_ value: UInt32, _ field: String) throws -> Int {
            try require(value < 1 << 24, .invalidValue, "\(field) is \(value); client indices are below 2^24")
            return Int(value)
        }
        func keys(_ m: Tributary_V1_AdvertiseKeys) throws -> AdvertisedKeys {
            AdvertisedKeys(client: try index(m.clientIndex, "AdvertiseKeys.client_index"), encryptionKey: m.encryptionKey, maskingKey: m.maskingKey)
        }
        func shares(_ list: [Tributary_V1_EncryptedShare], _ field: String) throws -> [EncryptedShare] {
            try list.map { EncryptedShare(from: try index($0.fromIndex, "\(field).from_index"), to: try index($0.toIndex, "\(field).to_index"), sealed: $0.sealed) }
        }
        func secrets(_ list: [Tributary_V1_SecretShare], _ field: String) throws -> [SecretShare] {
            try list.map { SecretShare(owner: try index($0.ownerIndex, "\(field).owner_index"), holder: try index($0.holderIndex, "\(field).holder_index"), values: $0.values) }
        }
        var elementBytes = 8
        let roundID: UInt64, body: Body
        switch proto.message {
        case .advertiseKeys(let m)?:
            (roundID, body) = (m.roundID, .fromClient(.advertiseKeys(try keys(m))))
        case .shareKeysRequest(let m)?:
            (roundID, body) = (m.roundID, .toClient(.shareKeys(neighbourKeys: try m.neighbourKeys.map(keys))))
        case .shareKeys(let m)?:
            (roundID, body) = (m.roundID, .fromClient(.shareKeys(client: try index(m.clientIndex, "ShareKeys.client_index"), shares: try shares(m.shares, "ShareKeys.shares"))))
        case .maskedInputRequest(let m)?:
            (roundID, body) = (m.roundID, .toClient(.maskedInput(shares: try shares(m.shares, "MaskedInputRequest.shares"))))
        case .maskedInput(let m)?:
            elementBytes = Int(m.elementBytes)
            try require(elementBytes == 4 || elementBytes == 8, .invalidValue, "MaskedInput.element_bytes is \(m.elementBytes); use 4 or 8")
            try require(m.vector.count % elementBytes == 0, .invalidValue,
                        "MaskedInput.vector is \(m.vector.count) bytes; a whole number of \(elementBytes)-byte elements is required")
            (roundID, body) = (m.roundID, .fromClient(.maskedInput(client: try index(m.clientIndex, "MaskedInput.client_index"),
                                                                    vector: Self.elements(m.vector, width: elementBytes))))
        case .unmaskRequest(let m)?:
            (roundID, body) = (m.roundID, .toClient(.unmask(selfMaskOwners: try m.selfMaskOwners.map { try index($0, "UnmaskRequest.self_mask_owners") },
                                                           maskingKeyOwners: try m.maskingKeyOwners.map { try index($0, "UnmaskRequest.masking_key_owners") })))
        case .unmaskResponse(let m)?:
            (roundID, body) = (m.roundID, .fromClient(.unmask(
                client: try index(m.clientIndex, "UnmaskResponse.client_index"),
                selfMaskShares: try secrets(m.selfMaskShares, "UnmaskResponse.self_mask_shares"),
                maskingKeyShares: try secrets(m.maskingKeyShares, "UnmaskResponse.masking_key_shares"))))
        case .refusal(let m)?:
            let code = Self.refusalCodes.first { $0.1 == m.code }?.0 ?? "invalidMessage"
            (roundID, body) = (m.roundID, .refusal(client: try index(m.clientIndex, "SecAggRefusal.client_index"), code: code, reason: m.reason))
        case .abort(let m)?:
            guard let phase = Self.phases.first(where: { $0.1 == m.phase })?.0 else {
                throw WireError(.invalidValue, "SecAggAbort.phase is \(m.phase.rawValue); it must name one of the four phases")
            }
            (roundID, body) = (m.roundID, .abort(phase: phase, code: m.code, reason: m.reason))
        case nil:
            throw WireError(.missingField, "SecAggMessage carries no message")
        }
        self.init(roundID: roundID, body: body, elementBytes: elementBytes)
        try validate()
    }

    func toProto() -> Tributary_V1_SecAggMessage {
        func keys(_ k: AdvertisedKeys) -> Tributary_V1_AdvertiseKeys {
            var m = Tributary_V1_AdvertiseKeys()
            m.roundID = roundID
            m.clientIndex = UInt32(k.client)
            m.encryptionKey = k.encryptionKey
            m.maskingKey = k.maskingKey
            return m
        }
        func shares(_ list: [EncryptedShare]) -> [Tributary_V1_EncryptedShare] {
            list.map { s in
                var m = Tributary_V1_EncryptedShare()
                m.fromIndex = UInt32(s.from)
                m.toIndex = UInt32(s.to)
                m.sealed = s.sealed
                return m
            }
        }
        func secrets(_ list: [SecretShare]) -> [Tributary_V1_SecretShare] {
            list.map { s in
                var m = Tributary_V1_SecretShare()
                m.ownerIndex = UInt32(s.owner)
                m.holderIndex = UInt32(s.holder)
                m.values = s.values
                return m
            }
        }
        var proto = Tributary_V1_SecAggMessage()
        switch body {
        case .fromClient(.advertiseKeys(let k)):
            proto.message = .advertiseKeys(keys(k))
        case .toClient(.shareKeys(let neighbourKeys)):
            var m = Tributary_V1_ShareKeysRequest()
            m.roundID = roundID
            m.neighbourKeys = neighbourKeys.map(keys)
            proto.message = .shareKeysRequest(m)
        case .fromClient(.shareKeys(let client, let list)):
            var m = Tributary_V1_ShareKeys()
            m.roundID = roundID
            m.clientIndex = UInt32(client)
            m.shares = shares(list)
            proto.message = .shareKeys(m)
        case .toClient(.maskedInput(let list)):
            var m = Tributary_V1_MaskedInputRequest()
            m.roundID = roundID
            m.shares = shares(list)
            proto.message = .maskedInputRequest(m)
        case .fromClient(.maskedInput(let client, let vector)):
            var m = Tributary_V1_MaskedInput()
            m.roundID = roundID
            m.clientIndex = UInt32(client)
            m.elementBytes = UInt32(elementBytes)
            m.vector = Self.bytes(vector, width: elementBytes)
            proto.message = .maskedInput(m)
        case .toClient(.unmask(let selfMaskOwners, let maskingKeyOwners)):
            var m = Tributary_V1_UnmaskRequest()
            m.roundID = roundID
            m.selfMaskOwners = selfMaskOwners.map(UInt32.init)
            m.maskingKeyOwners = maskingKeyOwners.map(UInt32.init)
            proto.message = .unmaskRequest(m)
        case .fromClient(.unmask(let client, let selfMask, let maskingKey)):
            var m = Tributary_V1_UnmaskResponse()
            m.roundID = roundID
            m.clientIndex = UInt32(client)
            m.selfMaskShares = secrets(selfMask)
            m.maskingKeyShares = secrets(maskingKey)
            proto.message = .unmaskResponse(m)
        case .refusal(let client, let code, let reason):
            var m = Tributary_V1_SecAggRefusal()
            m.roundID = roundID
            m.clientIndex = UInt32(client)
            m.code = Self.refusalCodes.first { $0.0 == code }?.1 ?? .secAggRefusalInvalidMessage
            m.reason = reason
            proto.message = .refusal(m)
        case .abort(let phase, let code, let reason):
            var m = Tributary_V1_SecAggAbort()
            m.roundID = roundID
            m.phase = Self.phases.first { $0.0 == phase }!.1
            m.code = code
            m.reason = reason
            proto.message = .abort(m)
        }
        return proto
    }

    /// Ring elements as `width`-byte (4 or 8) little-endian integers: one store a word, the hot
    /// path of a masked input (hundreds of thousands of elements per client).
    static func bytes(_ vector: [UInt64], width: Int) -> Data {
        var data = Data(count: vector.count * width)
        data.withUnsafeMutableBytes { raw in
            for (i, element) in vector.enumerated() {
                if width == 8 {
                    raw.storeBytes(of: element.littleEndian, toByteOffset: i * 8, as: UInt64.self)
                } else {
                    raw.storeBytes(of: UInt32(truncatingIfNeeded: element).littleEndian, toByteOffset: i * 4, as: UInt32.self)
                }
            }
        }
        return data
    }

    /// The inverse of ``bytes(_:width:)``: one unaligned load a word.
    static func elements(_ data: Data, width: Int) -> [UInt64] {
        data.withUnsafeBytes { raw in
            (0..<raw.count / width).map { i in
                width == 8
                    ? UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
                    : UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
            }
        }
    }
}
