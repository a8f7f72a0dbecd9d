import Foundation

/// Client → coordinator: the result of local training in a round.
public struct Update: Sendable, Hashable {
    /// The ``RoundOffer/roundID`` this answers.
    public var roundID: UInt64
    /// The ``RoundOffer/baseModelVersion`` trained from.
    public var baseModelVersion: UInt64
    /// Examples trained on: the FedAvg weight n_i.
    public var numExamples: UInt64
    /// θ_local − θ_global, tensor by tensor; non-empty.
    public var delta: ParameterSet
    /// Diagonal Fisher F_i; if present, same names and shapes as `delta`.
    public var fisher: ParameterSet?
    /// Aggregate metrics, e.g. `"train.loss"`. Never per-example data.
    public var metrics: [String: Double]
    /// The delta in the plan's codec (``UpdateEncoding/DeltaCodec``), a compressed vector in
    /// layout order; `delta` is then empty. Opaque here: the coordinator decodes it.
    public var compressedDelta: [UInt8]? = nil
    /// The Fisher in the plan's codec (``UpdateEncoding/FisherCodec``); `fisher` is then nil.
    public var compressedFisher: [UInt8]? = nil

    public init(roundID: UInt64, baseModelVersion: UInt64, numExamples: UInt64, delta: ParameterSet,
                fisher: ParameterSet? = nil, metrics: [String: Double] = [:]) {
        self.roundID = roundID
        self.baseModelVersion = baseModelVersion
        self.numExamples = numExamples
        self.delta = delta
        self.fisher = fisher
        self.metrics = metrics
    }

    func validate() throws {
        try requireNonZero(roundID, "Update.round_id")
        try requireNonZero(baseModelVersion, "Update.base_model_version")
        try requireNonZero(numExamples, "Update.num_examples")
        if let compressedDelta {
            try require(!compressedDelta.isEmpty, .missingField, "Update.compressed_delta is empty; when present it holds the delta")
            try require(delta.entries.isEmpty, .invalidValue,
                        "Update.delta has \(delta.count) tensors beside compressed_delta; the delta is sent once, in one of them")
        } else {
            try require(!delta.entries.isEmpty, .missingField, "Update.delta has no tensors; it is required")
        }
        if let compressedFisher {
            try require(!compressedFisher.isEmpty, .missingField, "Update.compressed_fisher is empty; when present it holds the Fisher")
            try require(fisher == nil, .invalidValue, "Update.fisher is present beside compressed_fisher; the Fisher is sent once, in one of them")
        }
        if let fisher, compressedDelta == nil {
            try require(fisher.hasSameLayout(as: delta), .invalidValue,
                        "Update.fisher differs from Update.delta in names or shapes (\(Self.layout(fisher)) vs \(Self.layout(delta)))")
        }
        for (key, _) in metrics {
            try require(!key.isEmpty, .invalidValue, "Update.metrics has an empty key")
        }
    }

    private static func layout(_ set: ParameterSet) -> String {
        let described = set.entries.prefix(4).map { "\($0.name)\($0.shape)" }
        return "[" + described.joined(separator: ", ") + (set.count > 4 ? ", …" : "") + "]"
    }
}

extension Update {
    init(proto: Tributary_V1_Update, incoming: IncomingTensors? = nil) throws {
        try requireNonZero(proto.roundID, "Update.round_id")
        let compressed = !proto.compressedDelta.isEmpty
        try require(proto.hasDelta || compressed, .missingField, "Update.delta is absent; it is required")
        self.init(roundID: proto.roundID, baseModelVersion: proto.baseModelVersion, numExamples: proto.numExamples,
                  delta: proto.hasDelta ? try ParameterSet(proto: proto.delta, field: "Update.delta", incoming: incoming) : try ParameterSet([]),
                  fisher: proto.hasFisher ? try ParameterSet(proto: proto.fisher, field: "Update.fisher", incoming: incoming) : nil,
                  metrics: proto.metrics)
        if compressed { compressedDelta = [UInt8](proto.compressedDelta) }
        if !proto.compressedFisher.isEmpty { compressedFisher = [UInt8](proto.compressedFisher) }
        try validate()
    }

    func toProto(outgoing: OutgoingTensors? = nil) -> Tributary_V1_Update {
        var proto = Tributary_V1_Update()
        proto.roundID = roundID
        proto.baseModelVersion = baseModelVersion
        proto.numExamples = numExamples
        if compressedDelta == nil { proto.delta = delta.toProto(outgoing: outgoing) }
        if let fisher { proto.fisher = fisher.toProto(outgoing: outgoing) }
        proto.metrics = metrics
        if let compressedDelta { proto.compressedDelta = Data(compressedDelta) }
        if let compressedFisher { proto.compressedFisher = Data(compressedFisher) }
        return proto
    }
}
