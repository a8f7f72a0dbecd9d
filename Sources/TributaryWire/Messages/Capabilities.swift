/// What a client can decode and do (`Hello.capabilities`).
public struct Capabilities: Sendable, Hashable {
    /// Tensor element types the client accepts; must include ``DType/float32``.
    public var tensorCodecs: [DType]
    /// Optional features by name (an open set), e.g. `"chunked-transfer"`, `"model-delta"`.
    public var features: [String]
    /// Largest frame the client accepts; 0 = the protocol default.
    public var maxFrameBytes: UInt32

    public init(tensorCodecs: [DType] = [.float32], features: [String] = [], maxFrameBytes: UInt32 = 0) {
        self.tensorCodecs = tensorCodecs
        self.features = features
        self.maxFrameBytes = maxFrameBytes
    }

    func validate(field: String) throws {
        try require(tensorCodecs.contains(.float32), .invalidValue,
                    "\(field).tensor_codecs is \(tensorCodecs); it must include FLOAT32")
    }
}

extension Capabilities {
    /// Codec values this version does not know are dropped (forward compatible).
    init(proto: Tributary_V1_Capabilities, field: String) throws {
        self.init(tensorCodecs: proto.tensorCodecs.compactMap(DType.init(proto:)),
                  features: proto.features, maxFrameBytes: proto.maxFrameBytes)
        try validate(field: field)
    }

    func toProto() -> Tributary_V1_Capabilities {
        var proto = Tributary_V1_Capabilities()
        proto.tensorCodecs = tensorCodecs.map { $0.toProto() }
        proto.features = features
        proto.maxFrameBytes = maxFrameBytes
        return proto
    }
}
