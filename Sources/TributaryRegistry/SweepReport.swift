/// What `ModelRegistry.sweep()` found and removed.
public struct SweepReport: Sendable, Equatable {
    /// Blob files no row names, removed.
    public var removedOrphans: [String]
    /// Temporary files of interrupted blob writes, removed.
    public var removedTemporaries: [String]
    /// Files kept because they are referenced or newer than the newest commit.
    public var kept: Int
}
