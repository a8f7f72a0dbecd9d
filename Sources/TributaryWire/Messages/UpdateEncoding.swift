/// How an Update's delta and Fisher are encoded (`TrainingPlan.encoding`): Float32 ParameterSets
/// (``fp32``, and what an absent encoding means), or compressed vectors in the byte formats of
/// `TributaryCompression` (docs/privacy.md) carried as ``Update/compressedDelta`` and
/// ``Update/compressedFisher``. The wire keeps those bytes opaque: decoding needs the model's
/// layout, which the coordinator holds, and a payload it cannot decode is answered with an
/// UpdateReceipt INVALID naming the fault, not with an Error that ends the session.
public struct UpdateEncoding: Sendable, Hashable {
    public enum DeltaCodec: String, Sendable, Hashable, CaseIterable {
        case fp32, int8, topk
    }

    public enum FisherCodec: String, Sendable, Hashable, CaseIterable {
        case fp32, fp16, int8
        case sqrtInt8 = "sqrt_int8"
    }

    /// A client announces this feature (`Hello.capabilities.features`) when it encodes its Updates
    /// as its plan says: an int8 delta and every Fisher codec.
    public static let feature = "compression"
    /// …and this one as well when it also sends top-k deltas (it keeps an error-feedback residual
    /// across rounds and restarts). A client with ``feature`` alone is told fp32 for a top-k delta.
    public static let topKFeature = "compression-topk"
    public static let defaultBlockSize = 256
    public static let maxBlockSize = 1 << 20
    /// Plain Float32 for both: what a client that did not announce ``feature`` is told.
    public static let fp32 = UpdateEncoding()

    public var delta: DeltaCodec
    public var fisher: FisherCodec
    /// Elements per int8 block, when an int8 codec is used.
    public var blockSize: Int
    /// The share of entries top-k sends, in (0, 1], when the delta codec is ``DeltaCodec/topk``.
    public var topKFraction: Double

    public init(delta: DeltaCodec = .fp32, fisher: FisherCodec = .fp32, blockSize: Int = UpdateEncoding.defaultBlockSize,
                topKFraction: Double = 0.1) {
        self.delta = delta
        self.fisher = fisher
        self.blockSize = blockSize
        self.topKFraction = topKFraction
    }

    public var isFP32: Bool { delta == .fp32 && fisher == .fp32 }
    var usesInt8: Bool { Self.usesInt8(delta, fisher) }

    static func usesInt8(_ delta: DeltaCodec, _ fisher: FisherCodec) -> Bool { delta == .int8 || fisher == .int8 || fisher == .sqrtInt8 }

    /// - Throws: `WireError` naming the field and its value.
    public func validate(field: String = "TrainingPlan.encoding") throws {
        if usesInt8 {
            try require((1...Self.maxBlockSize).contains(blockSize), .invalidValue,
                        "\(field).block_size is \(blockSize); an int8 codec needs 1 ... \(Self.maxBlockSize)")
        }
        if delta == .topk {
            try require(topKFraction > 0 && topKFraction <= 1, .invalidValue,
                        "\(field).top_k_fraction is \(topKFraction); DELTA_CODEC_TOPK needs a fraction in (0, 1]")
        }
    }

    /// Describes the encoding as the configuration and the simulation write it: `int8+fp16`, `topk:0.1+fp32`.
    public var summary: String {
        let deltaText = delta == .topk ? "topk:\(topKFraction)" : delta.rawValue
        return "\(deltaText)+\(fisher.rawValue)"
    }
}

extension UpdateEncoding {
    init(proto: Tributary_V1_UpdateEncoding, field: String) throws {
        switch proto.delta {
        case .fp32: delta = .fp32
        case .int8: delta = .int8
        case .topk: delta = .topk
        case .UNRECOGNIZED(let value):
            throw WireError(.invalidValue, "\(field).delta is \(value), a codec this version does not know (0 FP32, 1 INT8, 2 TOPK)")
        }
        switch proto.fisher {
        case .fp32: fisher = .fp32
        case .fp16: fisher = .fp16
        case .int8: fisher = .int8
        case .sqrtInt8: fisher = .sqrtInt8
        case .UNRECOGNIZED(let value):
            throw WireError(.invalidValue, "\(field).fisher is \(value), a codec this version does not know (0 FP32, 1 FP16, 2 INT8, 3 SQRT_INT8)")
        }
        // A parameter its codec does not use reads as the default, so equal encodings compare equal.
        blockSize = Self.usesInt8(delta, fisher) ? Int(proto.blockSize) : Self.defaultBlockSize
        topKFraction = delta == .topk ? proto.topKFraction : 0.1
        try validate(field: field)
    }

    func toProto() -> Tributary_V1_UpdateEncoding {
        var proto = Tributary_V1_UpdateEncoding()
        switch delta {
        case .fp32: proto.delta = .fp32
        case .int8: proto.delta = .int8
        case .topk: proto.delta = .topk
        }
        switch fisher {
        case .fp32: proto.fisher = .fp32
        case .fp16: proto.fisher = .fp16
        case .int8: proto.fisher = .int8
        case .sqrtInt8: proto.fisher = .sqrtInt8
        }
        // Each parameter only where its codec is used, as the contract says.
        proto.blockSize = usesInt8 ? UInt32(blockSize) : 0
        proto.topKFraction = delta == .topk ? topKFraction : 0
        return proto
    }
}
