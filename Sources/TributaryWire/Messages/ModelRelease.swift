/// Coordinator → client: a new global model was committed to the registry.
public struct ModelRelease: Sendable, Hashable {
    /// The new registry version; greater than `parentVersion`.
    public var version: UInt64
    /// The version it was derived from; 0 = an initial model.
    public var parentVersion: UInt64
    public var model: ModelPayload
    /// The model's architecture (optional on the wire, as in ``RoundOffer``).
    public var architecture: ModelArchitecture?
    /// The model's preprocessing; `nil` = identity (as in ``RoundOffer``).
    public var preprocessing: PreprocessingMessage?

    public init(version: UInt64, parentVersion: UInt64, model: ModelPayload, architecture: ModelArchitecture? = nil,
                preprocessing: PreprocessingMessage? = nil) {
        self.version = version
        self.parentVersion = parentVersion
        self.model = model
        self.architecture = architecture
        self.preprocessing = preprocessing
    }

    func validate() throws {
        try require(version > parentVersion, .invalidValue,
                    "ModelRelease.version is \(version); must be greater than parent_version \(parentVersion)")
        try validateCarriedModel(model, version: version, architecture: architecture, preprocessing: preprocessing, message: "ModelRelease")
    }
}

/// The checks of a model a message carries at `version` (a ModelRelease, an EvaluateRequest): a
/// delta's base is older, and the architecture and preprocessing are valid together.
func validateCarriedModel(_ model: ModelPayload, version: UInt64, architecture: ModelArchitecture?,
                          preprocessing: PreprocessingMessage?, message: String) throws {
    if case .delta(let base, _) = model {
        try require(base < version, .invalidValue,
                    "\(message).model.delta.base_version is \(base); must be older than version \(version)")
    }
    try architecture?.validate(field: "\(message).architecture")
    try preprocessing?.validate(field: "\(message).preprocessing", inputSize: architecture?.inputSize)
}

extension ModelRelease {
    init(proto: Tributary_V1_ModelRelease, incoming: IncomingTensors? = nil) throws {
        try require(proto.hasModel, .missingField, "ModelRelease.model is absent; it is required")
        self.init(version: proto.version, parentVersion: proto.parentVersion,
                  model: try ModelPayload(proto: proto.model, field: "ModelRelease.model", incoming: incoming),
                  architecture: proto.hasArchitecture ? try ModelArchitecture(proto: proto.architecture, field: "ModelRelease.architecture") : nil,
                  preprocessing: proto.hasPreprocessing ? PreprocessingMessage(proto: proto.preprocessing) : nil)
        try validate()
    }

    func toProto(outgoing: OutgoingTensors? = nil) -> Tributary_V1_ModelRelease {
        var proto = Tributary_V1_ModelRelease()
        proto.version = version
        proto.parentVersion = parentVersion
        proto.model = model.toProto(outgoing: outgoing)
        if let architecture { proto.architecture = architecture.toProto() }
        if let preprocessing { proto.preprocessing = preprocessing.toProto() }
        return proto
    }
}
