import TributaryLearning
import TributaryModelWire
import TributaryNumerics
import TributaryRegistry
import TributaryWire

/// An Update turned into flat vectors over the model's layout, off the engine's actor: the
/// conversion (and the digest the journal keeps) costs a pass over the tensors per client.
struct IncomingUpdate: Sendable {
    var clientID: String
    var roundID: UInt64
    var baseVersion: UInt64
    var examples: Int
    var metrics: [String: Double]
    /// Bytes of the delta and Fisher tensors.
    var bytes: Int
    /// The flat delta and Fisher, or why the tensors do not fit the model.
    var vectors: Result<(delta: [Float], fisher: [Float]?, digest: String), LearningError>

    init(_ update: Update, from clientID: String, layout: ParameterLayout) {
        self.clientID = clientID
        roundID = update.roundID
        baseVersion = update.baseModelVersion
        examples = Int(clamping: update.numExamples)
        metrics = update.metrics
        bytes = 4 * (update.delta.scalarCount + (update.fisher?.scalarCount ?? 0))
        vectors = Result {
            let delta = try LearningWire.flatten(update.delta, layout: layout, field: "Update.delta")
            let fisher = try update.fisher.map { try LearningWire.flatten($0, layout: layout, field: "Update.fisher") }
            let digest = delta.withUnsafeBytes { BlobDigest.sha256Hex($0) }
            return (delta, fisher, digest)
        }.mapError { $0 as? LearningError ?? LearningError(.invalidConfiguration, "\($0)") }
    }
}
