/// The JSON header of a checkpoint file: every small field, and the list of binary blocks
/// that follow it.
struct CheckpointHeader: Codable {
    struct Block: Codable, Equatable {
        enum Kind: String, Codable { case float32, int32, int64 }
        var name: String
        var kind: Kind
        var count: Int
        var byteCount: Int {
            switch kind {
            case .float32, .int32: count * 4
            case .int64: count * 8
            }
        }
    }

    var spec: ModelSpec
    var optimizer: OptimizerConfiguration
    var optimizerStep: Int
    var optimizerSlots: [String]
    var ewcConsolidations: Int
    var ewcTerms: Int
    var replay: ReplayConfiguration
    var replaySeen: Int64
    var replaySeenPerClass: [[Int64]]
    var replayCursor: Int
    /// xoshiro256** state words as hex strings (JSON numbers lose precision past 2⁵³).
    var generator: [String]
    var plan: TrainingPlan
    var lineage: Lineage
    var metadata: [String: String]
    /// Format version 2 only (absent in version 1: identity preprocessing).
    var preprocessing: Preprocessing?
    var blocks: [Block]
}
