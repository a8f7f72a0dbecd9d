/// Coordinator → client: train on this model and answer with an ``Update``.
public struct RoundOffer: Sendable, Hashable {
    public var roundID: UInt64
    /// Registry version the round starts from; the Update's delta is against it.
    public var baseModelVersion: UInt64
    /// The model at `baseModelVersion`, full or as a delta against a version the client holds.
    public var model: ModelPayload
    /// Global EWC state; `nil` = no EWC penalty this round.
    public var ewc: EWCStateMessage?
    public var plan: TrainingPlanMessage
    /// The model's architecture (optional on the wire for compatibility; coordinators send it).
    public var architecture: ModelArchitecture?
    /// The model's preprocessing; `nil` = identity (raw features).
    public var preprocessing: PreprocessingMessage?
    /// Present when the round is aggregated securely: the client answers with the phases of
    /// ``SecureAggregationMessage``, not with an ``Update``.
    public var secureAggregation: SecureRoundParameters?

    public init(
        roundID: UInt64, baseModelVersion: UInt64, model: ModelPayload, ewc: EWCStateMessage? = nil, plan: TrainingPlanMessage,
        architecture: ModelArchitecture? = nil, preprocessing: PreprocessingMessage? = nil, secureAggregation: SecureRoundParameters? = nil
    ) {
        self.secureAggregation = secureAggregation
        self.roundID = roundID
        self.baseModelVersion = baseModelVersion
        self.model = model
        self.ewc = ewc
        self.plan = plan
        self.architecture = architecture
        self.preprocessing = preprocessing
    }

    func validate() throws {
        try requireNonZero(roundID, "RoundOffer.round_id")
        try requireNonZero(baseModelVersion, "RoundOffer.base_model_version")
        if case .delta(let base, _) = model {
            try require(base < baseModelVersion, .invalidValue,
                        "RoundOffer.model.delta.base_version is \(base); must be older than base_model_version \(baseModelVersion)")
        }
        try ewc?.validate(field: "RoundOffer.ewc")
        try plan.validate(field: "RoundOffer.plan")
        try architecture?.validate(field: "RoundOffer.architecture")
        try preprocessing?.validate(field: "RoundOffer.preprocessing", inputSize: architecture?.inputSize)
        if let secureAggregation {
            try secureAggregation.validate(field: "RoundOffer.secure_aggregation")
            try require(secureAggregation.configuration.roundID == roundID, .invalidValue,
                        "RoundOffer.secure_aggregation.round_id is \(secureAggregation.configuration.roundID); the offer's round is \(roundID)")
        }
    }
}

extension RoundOffer {
    init(proto: Tributary_V1_RoundOffer, incoming: IncomingTensors? = nil) throws {
        try requireNonZero(proto.roundID, "RoundOffer.round_id")
        try require(proto.hasModel, .missingField, "RoundOffer.model is absent; it is required")
        try require(proto.hasPlan, .missingField, "RoundOffer.plan is absent; it is required")
        self.init(roundID: proto.roundID, baseModelVersion: proto.baseModelVersion,
                  model: try ModelPayload(proto: proto.model, field: "RoundOffer.model", incoming: incoming),
                  ewc: proto.hasEwc ? try EWCStateMessage(proto: proto.ewc, field: "RoundOffer.ewc", incoming: incoming) : nil,
                  plan: try TrainingPlanMessage(proto: proto.plan, field: "RoundOffer.plan"),
                  architecture: proto.hasArchitecture ? try ModelArchitecture(proto: proto.architecture, field: "RoundOffer.architecture") : nil,
                  preprocessing: proto.hasPreprocessing ? PreprocessingMessage(proto: proto.preprocessing) : nil,
                  secureAggregation: proto.hasSecureAggregation
                      ? try SecureRoundParameters(proto: proto.secureAggregation, field: "RoundOffer.secure_aggregation") : nil)
        try validate()
    }

    func toProto(outgoing: OutgoingTensors? = nil) -> Tributary_V1_RoundOffer {
        var proto = Tributary_V1_RoundOffer()
        proto.roundID = roundID
        proto.baseModelVersion = baseModelVersion
        proto.model = model.toProto(outgoing: outgoing)
        if let ewc { proto.ewc = ewc.toProto(outgoing: outgoing) }
        proto.plan = plan.toProto()
        if let architecture { proto.architecture = architecture.toProto() }
        if let preprocessing { proto.preprocessing = preprocessing.toProto() }
        if let secureAggregation { proto.secureAggregation = secureAggregation.toProto() }
        return proto
    }
}
