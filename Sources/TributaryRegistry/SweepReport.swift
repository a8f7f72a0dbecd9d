/// What `ModelRegistry.sweep()` found and removed.
public struct SweepReport: Sendable, Equatable {
    /// Blob files no row names, removed.
    public var removedOrphans: [String]
    /// Temporary files of interrupted blob writes, removed.
    public var removedTemporaries: [String]
    /// The bytes the removed files held.
    public var removedBytes: Int64
    /// Files kept: blobs a version names, and this process's own temporaries.
    public var kept: Int

    public init(removedOrphans: [String] = [], removedTemporaries: [String] = [], removedBytes: Int64 = 0, kept: Int = 0) {
        self.removedOrphans = removedOrphans
        self.removedTemporaries = removedTemporaries
        self.removedBytes = removedBytes
        self.kept = kept
    }

    public var removedCount: Int { removedOrphans.count + removedTemporaries.count }

    /// "removed 2 orphan blobs and 1 temporary file (2469135 bytes); kept 12 files"
    public var summary: String {
        func files(_ count: Int, _ what: String) -> String { "\(count) \(what)\(count == 1 ? "" : "s")" }
        return "removed \(files(removedOrphans.count, "orphan blob")) and \(files(removedTemporaries.count, "temporary file"))"
            + " (\(removedBytes) bytes); kept \(files(kept, "file"))"
    }
}
