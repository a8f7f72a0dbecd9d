/// How a client trains in a round.
public struct TrainingPlanMessage: Sendable, Hashable {
    public var epochs: UInt32
    public var batchSize: UInt32
    public var learningRate: Double
    /// EWC penalty weight λ; 0 = no EWC.
    public var ewcLambda: Double
    /// FedProx proximal weight μ; 0 = plain FedAvg.
    public var fedProxMu: Double
    /// Replay examples mixed into each step; 0 = no replay.
    public var replaySize: UInt32
    /// The Update must arrive before this instant, unix milliseconds.
    public var deadlineUnixMilliseconds: Int64
    /// The coordinator does not use the clients' Fisher this round: the Update carries none.
    public var skipFisher: Bool
    /// Seen-class masking: the client's softmax covers only the classes of its new examples and replay buffer.
    public var maskUnseenClasses: Bool
    /// The largest `Update.numExamples` the coordinator accepts from this client; the client
    /// trains on at most this many of its newest examples. 0 = no bound stated.
    public var maxExamples: UInt64
    /// How the Update's delta and Fisher are encoded; nil = Float32 ParameterSets (field absent).
    public var encoding: UpdateEncoding? = nil
    /// Client-level differential privacy for this round (field 12); nil = none.
    public var privacy: PrivacyPlanMessage? = nil

    public init(epochs: UInt32, batchSize: UInt32, learningRate: Double, ewcLambda: Double = 0,
                fedProxMu: Double = 0, replaySize: UInt32 = 0, deadlineUnixMilliseconds: Int64, skipFisher: Bool = false,
                maskUnseenClasses: Bool = false, maxExamples: UInt64 = 0) {
        self.skipFisher = skipFisher
        self.maxExamples = maxExamples
        self.maskUnseenClasses = maskUnseenClasses
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.ewcLambda = ewcLambda
        self.fedProxMu = fedProxMu
        self.replaySize = replaySize
        self.deadlineUnixMilliseconds = deadlineUnixMilliseconds
    }

    func validate(field: String) throws {
        try requireNonZero(epochs, "\(field).epochs")
        try requireNonZero(batchSize, "\(field).batch_size")
        try requireFinite(learningRate, "\(field).learning_rate", atLeast: 0, exclusive: true)
        try requireFinite(ewcLambda, "\(field).ewc_lambda", atLeast: 0)
        try requireFinite(fedProxMu, "\(field).fedprox_mu", atLeast: 0)
        try require(deadlineUnixMilliseconds > 0, .missingField,
                    "\(field).deadline_unix_ms is \(deadlineUnixMilliseconds); it is required and must be > 0")
        try encoding?.validate(field: "\(field).encoding")
    }
}

extension TrainingPlanMessage {
    init(proto: Tributary_V1_TrainingPlan, field: String) throws {
        self.init(epochs: proto.epochs, batchSize: proto.batchSize, learningRate: proto.learningRate,
                  ewcLambda: proto.ewcLambda, fedProxMu: proto.fedproxMu, replaySize: proto.replaySize,
                  deadlineUnixMilliseconds: proto.deadlineUnixMs, skipFisher: proto.skipFisher, maskUnseenClasses: proto.maskUnseenClasses,
                  maxExamples: proto.maxExamples)
        if proto.hasEncoding { encoding = try UpdateEncoding(proto: proto.encoding, field: "\(field).encoding") }
        privacy = try PrivacyPlanMessage.decode(proto, field: "\(field).privacy")
        try validate(field: field)
    }

    func toProto() -> Tributary_V1_TrainingPlan {
        var proto = Tributary_V1_TrainingPlan()
        proto.epochs = epochs
        proto.batchSize = batchSize
        proto.learningRate = learningRate
        proto.ewcLambda = ewcLambda
        proto.fedproxMu = fedProxMu
        proto.replaySize = replaySize
        proto.deadlineUnixMs = deadlineUnixMilliseconds
        proto.skipFisher = skipFisher
        proto.maskUnseenClasses = maskUnseenClasses
        proto.maxExamples = maxExamples
        if let encoding { proto.encoding = encoding.toProto() }
        if let privacy { proto.privacy = privacy.toProto() }
        return proto
    }
}
