@testable import TributaryWire

/// One valid instance of every message, with seeded tensors.
enum Fixtures {
    static func parameters(seed: UInt64, scale: Float = 0.1, nonNegative: Bool = false) -> ParameterSet {
        var rng = SplitMix64(seed: seed)
        return try! ParameterSet([
            NamedTensor(name: "dense1.weight", tensor: WireSamples.tensor(shape: [4, 3], scale: scale, nonNegative: nonNegative, using: &rng)),
            NamedTensor(name: "dense1.bias", tensor: WireSamples.tensor(shape: [4], scale: scale, nonNegative: nonNegative, using: &rng)),
            NamedTensor(name: "scalar", tensor: WireSamples.tensor(shape: [], scale: scale, nonNegative: nonNegative, using: &rng)),
            NamedTensor(name: "empty", tensor: WireSamples.tensor(shape: [0, 5], scale: scale, using: &rng)),
        ])
    }

    static let hello = Hello(clientID: "edge-0042",
                             capabilities: Capabilities(tensorCodecs: [.float32, .float16], features: ["chunked-transfer", "model-delta"], maxFrameBytes: 1 << 22),
                             device: DeviceFacts(examplesAvailable: 1200, charging: true, meteredNetwork: false, modelVersion: 7))
    static let welcome = Welcome(sessionID: "s-3f2a", globalModelVersion: 9, heartbeatIntervalMilliseconds: 15_000, maxFrameBytes: 1 << 22)
    static let reject = Reject(code: .identityMismatch, reason: "Hello.client_id is \"edge-1\"; the certificate says \"edge-2\"")
    static let plan = TrainingPlanMessage(epochs: 2, batchSize: 32, learningRate: 0.05, ewcLambda: 40, fedProxMu: 0.01,
                                   replaySize: 16, deadlineUnixMilliseconds: 1_795_000_000_000)
    static let roundOfferFull = RoundOffer(roundID: 12, baseModelVersion: 9, model: .full(parameters(seed: 1)),
                                           ewc: EWCStateMessage(fisher: parameters(seed: 2, nonNegative: true), anchor: parameters(seed: 3), gamma: 0.9),
                                           plan: plan, architecture: architecture)
    static let roundOfferDelta = RoundOffer(roundID: 13, baseModelVersion: 9, model: .delta(baseVersion: 8, delta: parameters(seed: 4)), plan: plan)
    static let update = Update(roundID: 12, baseModelVersion: 9, numExamples: 640, delta: parameters(seed: 5),
                               fisher: parameters(seed: 6, nonNegative: true), metrics: ["train.loss": 0.31, "train.accuracy": 0.93, "b": -1])
    static let updateNoFisher = Update(roundID: 12, baseModelVersion: 9, numExamples: 1, delta: parameters(seed: 7))
    static let release = ModelRelease(version: 10, parentVersion: 9, model: .delta(baseVersion: 9, delta: parameters(seed: 8)))
    static let initialRelease = ModelRelease(version: 1, parentVersion: 0, model: .full(parameters(seed: 9)), architecture: architecture)
    static let architecture = ModelArchitecture(
        inputSize: 64, layers: [.init(units: 32, activation: .tanh), .init(units: 10, activation: .identity)], loss: .softmaxCrossEntropy)
    static let heartbeat = Heartbeat(sequence: 3, unixMilliseconds: 1_795_000_000_123)
    static let error = ErrorMessage(code: .invalidMessage, message: "Update.num_examples is 0")
    static let goodbye = Goodbye(reason: .done, detail: "round 12 sent")
    static let chunk = PayloadChunk(transferID: 5, index: 1, total: 3, totalBytes: 10, data: [1, 2, 3, 4])

    static let allMessages: [WireMessage] = [
        .hello(hello), .welcome(welcome), .reject(reject), .roundOffer(roundOfferFull), .roundOffer(roundOfferDelta),
        .update(update), .update(updateNoFisher), .modelRelease(release), .modelRelease(initialRelease),
        .heartbeat(heartbeat), .error(error), .goodbye(goodbye), .goodbye(Goodbye(reason: .unspecified)), .chunk(chunk),
        .ready(Ready(device: DeviceFacts(examplesAvailable: 120, charging: false, meteredNetwork: true, modelVersion: 4), trigger: "drift")),
        .ready(Ready(device: DeviceFacts(examplesAvailable: 0, charging: true, meteredNetwork: false, modelVersion: 0), trigger: "", ready: false)),
        .updateReceipt(UpdateReceipt(roundID: 7, status: .accepted)),
        .updateReceipt(UpdateReceipt(roundID: 7, status: .late, reason: "round 7 closed at its deadline")),
        .roundOffer(RoundOffer(roundID: 14, baseModelVersion: 9, model: .delta(baseVersion: 8, delta: parameters(seed: 4)),
                               plan: TrainingPlanMessage(epochs: 1, batchSize: 8, learningRate: 0.1, deadlineUnixMilliseconds: 1, skipFisher: true))),
        .goodbye(Goodbye(reason: .revoked, detail: "client edge-0042 is revoked")),
        .evaluateRequest(EvaluateRequest(evaluationID: 3, version: 10, model: .delta(baseVersion: 9, delta: parameters(seed: 10)),
                                         architecture: architecture, deadlineUnixMilliseconds: 1_795_000_060_000)),
        .evaluateRequest(EvaluateRequest(evaluationID: 4, version: 11, model: .full(parameters(seed: 11)), deadlineUnixMilliseconds: 1)),
        .evaluateResult(EvaluateResult(evaluationID: 3, version: 10, classes: [0: .init(correct: 40, total: 50), 7: .init(correct: 0, total: 2)],
                                       tasks: ["split-digits/2": .init(correct: 40, total: 52)])),
        .evaluateResult(EvaluateResult(evaluationID: 4, version: 11, classes: [:], reason: "no held-out examples on this edge")),
    ]

    /// Frame body bytes of a hand-made envelope (may be invalid on purpose).
    static func body(_ envelope: Tributary_V1_Envelope) -> [UInt8] {
        try! envelope.serializedBytes()
    }

    static func frame(_ envelope: Tributary_V1_Envelope) -> [UInt8] {
        FrameCodec.frame(body(envelope))
    }

    static func envelope(_ message: WireMessage, version: UInt32 = WireProtocol.version) -> Tributary_V1_Envelope {
        var envelope = message.toEnvelope()
        envelope.protocolVersion = version
        return envelope
    }
}
