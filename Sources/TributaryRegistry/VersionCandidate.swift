import TributaryLearning

/// A model to register: the checkpoint and where it came from.
public struct VersionCandidate: Sendable {
    public var checkpoint: Checkpoint
    /// The version it was aggregated from (nil for the first model).
    public var parent: UInt64?
    public var roundID: UInt64?
    public var participants: [String]
    public var metrics: [String: Double]
    public var note: String

    public init(
        checkpoint: Checkpoint, parent: UInt64? = nil, roundID: UInt64? = nil, participants: [String] = [],
        metrics: [String: Double] = [:], note: String = ""
    ) {
        self.checkpoint = checkpoint
        self.parent = parent
        self.roundID = roundID
        self.participants = participants
        self.metrics = metrics
        self.note = note
    }
}
