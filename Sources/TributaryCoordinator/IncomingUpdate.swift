import TributaryLearning
import TributaryModelWire
import TributaryNumerics
import TributaryRegistry
import TributaryWire

/// An Update as the engine checks it. The flat vectors (and the digest the journal keeps) are
/// made only after the round checks passed, inside the instance, one update at a time: a client
/// waiting for the engine holds the wire form only, not a second copy.
struct IncomingUpdate: Sendable {
    var clientID: String
    var roundID: UInt64
    var baseVersion: UInt64
    var examples: Int
    var metrics: [String: Double]
    /// Bytes of the delta and Fisher as received: the tensors' Float32 data, or the compressed payloads.
    var bytes: Int
    let update: Update

    init(_ update: Update, from clientID: String) {
        self.update = update
        self.clientID = clientID
        roundID = update.roundID
        baseVersion = update.baseModelVersion
        examples = Int(clamping: update.numExamples)
        metrics = update.metrics
        bytes = 4 * (update.delta.scalarCount + (update.fisher?.scalarCount ?? 0))
            + (update.compressedDelta?.count ?? 0) + (update.compressedFisher?.count ?? 0)
    }

    /// The flat delta and Fisher over `layout`, decoded as `encoding` (the client's plan) says
    /// (``decodedVectors(layout:encoding:)``), and the decoded delta's digest.
    /// - Throws: `LearningError` naming the first tensor that does not fit the model;
    ///   `CoordinatorError.invalidEncoding` for a payload not encoded as the plan said.
    func vectors(layout: ParameterLayout, encoding: UpdateEncoding = .fp32) throws -> (delta: [Float], fisher: [Float]?, digest: String) {
        let (delta, fisher) = try decodedVectors(layout: layout, encoding: encoding)
        return (delta, fisher, delta.withUnsafeBytes { BlobDigest.sha256Hex($0) })
    }
}
