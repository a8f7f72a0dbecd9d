import TributaryLearning
import TributaryModelWire
import TributaryWire

/// Which global model an edge holds after a RoundOffer or a ModelRelease: pure, no files.
///
/// The edge checkpoint always holds the parameters of one global version (metadata
/// `model.version`), with the edge's own optimizer state, replay buffer and RNG. A full payload
/// replaces the parameters; a delta is applied when the edge holds its base version, and
/// otherwise the edge keeps what it has (the next RoundOffer, or the coordinator's answer to
/// its next Ready or Hello, brings the full model). A full payload is adopted whatever its
/// version number: a rollback releases a version lower than the one held.
public enum ModelAdoption {
    public static let versionKey = "model.version"

    /// The global version `checkpoint` holds (0: none).
    public static func version(of checkpoint: Checkpoint?) -> UInt64 {
        checkpoint.flatMap { UInt64($0.metadata[versionKey] ?? "") } ?? 0
    }

    /// The checkpoint holding `version` given as `payload`, built on `held` (its optimizer state,
    /// replay and RNG are kept when the architecture is the same), or nil when `payload` is a
    /// delta against a version this edge does not hold.
    ///
    /// The adopted checkpoint carries the message's preprocessing (identity when it has none).
    /// When that differs from the held checkpoint's, the replay buffer is emptied: it holds inputs
    /// as the old preprocessing made them, which the new model must not train on.
    ///
    /// - Parameters:
    ///   - architecture: the model's architecture when the message carries it.
    ///   - preprocessing: the model's preprocessing as the message carries it.
    ///   - seed, replay: for a fresh checkpoint (no checkpoint yet, or a new architecture).
    /// - Throws: `LearningError` naming the tensor or shape that does not fit.
    public static func checkpoint(
        version: UInt64, payload: ModelPayload, architecture: ModelArchitecture?, preprocessing: PreprocessingMessage? = nil,
        held: Checkpoint?, seed: UInt64, replay: ReplayConfiguration, field: String
    ) throws -> Checkpoint? {
        let offered = try architecture.map { try LearningWire.spec($0) }
        let base: Checkpoint
        switch payload {
        case .full(let parameters):
            let spec = try offered ?? held?.spec ?? LearningWire.inferMLP(parameters)
            var start = try reuse(held, spec: spec) ?? Checkpoint.fresh(spec: spec, seed: seed, replay: replay)
            start.parameters = try LearningWire.flatten(parameters, layout: spec.parameterLayout, field: field)
            base = start
        case .delta(let baseVersion, let delta):
            guard var held, self.version(of: held) == baseVersion, offered == nil || offered == held.spec else { return nil }
            let values = try LearningWire.flatten(delta, layout: held.spec.parameterLayout, field: field)
            for index in held.parameters.indices { held.parameters[index] += values[index] }
            base = held
        }
        var adopted = base
        adopted.metadata[versionKey] = "\(version)"
        let offeredPreprocessing = try LearningWire.preprocessing(
            preprocessing, spec: adopted.spec, field: "\(field.prefix { $0 != "." }).preprocessing")
        if offeredPreprocessing != adopted.preprocessing {
            adopted.preprocessing = offeredPreprocessing
            adopted.replay = ReplayBuffer(configuration: adopted.replay.configuration, featureCount: adopted.spec.inputSize)
        }
        try adopted.validate()
        return adopted
    }

    private static func reuse(_ held: Checkpoint?, spec: ModelSpec) -> Checkpoint? {
        guard let held, held.spec == spec else { return nil }
        return held
    }
}
