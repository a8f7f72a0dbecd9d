/// Where a checkpoint came from.
public struct Lineage: Sendable, Codable, Equatable, Hashable {
    /// SHA-256 (hex) of the checkpoint this one was trained from; nil for a fresh model.
    public var parentDigest: String?
    /// Examples trained on across all jobs so far.
    public var examplesSeen: Int64
    /// Jobs since the fresh model (0 for a fresh model).
    public var generation: Int

    public init(parentDigest: String? = nil, examplesSeen: Int64 = 0, generation: Int = 0) {
        self.parentDigest = parentDigest
        self.examplesSeen = examplesSeen
        self.generation = generation
    }
}
