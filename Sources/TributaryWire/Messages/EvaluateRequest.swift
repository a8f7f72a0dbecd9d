/// Coordinator → client (only one that announced the `"evaluate"` feature): measure a candidate
/// on the local held-out set and answer with an ``EvaluateResult``; nothing is trained or adopted.
public struct EvaluateRequest: Sendable, Hashable {
    /// The feature a client lists in `Hello.capabilities.features` to receive evaluate requests.
    public static let feature = "evaluate"

    /// Chosen by the coordinator; non-zero. The result names it.
    public var evaluationID: UInt64
    /// The candidate's registry version; non-zero.
    public var version: UInt64
    public var model: ModelPayload
    /// The candidate's architecture (optional on the wire, as in ``RoundOffer``).
    public var architecture: ModelArchitecture?
    /// The candidate's preprocessing; `nil` = identity.
    public var preprocessing: PreprocessingMessage?
    /// Answer before this time (Unix ms); > 0.
    public var deadlineUnixMilliseconds: Int64

    public init(evaluationID: UInt64, version: UInt64, model: ModelPayload, architecture: ModelArchitecture? = nil,
                preprocessing: PreprocessingMessage? = nil, deadlineUnixMilliseconds: Int64) {
        self.evaluationID = evaluationID
        self.version = version
        self.model = model
        self.architecture = architecture
        self.preprocessing = preprocessing
        self.deadlineUnixMilliseconds = deadlineUnixMilliseconds
    }

    func validate() throws {
        try requireNonZero(evaluationID, "EvaluateRequest.evaluation_id")
        try requireNonZero(version, "EvaluateRequest.version")
        try requireNonZero(deadlineUnixMilliseconds, "EvaluateRequest.deadline_unix_ms")
        try require(deadlineUnixMilliseconds > 0, .invalidValue,
                    "EvaluateRequest.deadline_unix_ms is \(deadlineUnixMilliseconds); must be > 0")
        try validateCarriedModel(model, version: version, architecture: architecture, preprocessing: preprocessing, message: "EvaluateRequest")
    }
}

extension EvaluateRequest {
    init(proto: Tributary_V1_EvaluateRequest, incoming: IncomingTensors? = nil) throws {
        try require(proto.hasModel, .missingField, "EvaluateRequest.model is absent; it is required")
        self.init(evaluationID: proto.evaluationID, version: proto.version,
                  model: try ModelPayload(proto: proto.model, field: "EvaluateRequest.model", incoming: incoming),
                  architecture: proto.hasArchitecture
                      ? try ModelArchitecture(proto: proto.architecture, field: "EvaluateRequest.architecture") : nil,
                  preprocessing: proto.hasPreprocessing ? PreprocessingMessage(proto: proto.preprocessing) : nil,
                  deadlineUnixMilliseconds: proto.deadlineUnixMs)
        try validate()
    }

    func toProto(outgoing: OutgoingTensors? = nil) -> Tributary_V1_EvaluateRequest {
        var proto = Tributary_V1_EvaluateRequest()
        proto.evaluationID = evaluationID
        proto.version = version
        proto.model = model.toProto(outgoing: outgoing)
        if let architecture { proto.architecture = architecture.toProto() }
        if let preprocessing { proto.preprocessing = preprocessing.toProto() }
        proto.deadlineUnixMs = deadlineUnixMilliseconds
        return proto
    }
}
