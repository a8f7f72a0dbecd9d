import Foundation

/// Decides when the deny list must be re-read: a value type with no timers and no threads.
///
/// The transport calls ``check(modificationTime:)`` whenever it likes (say, on each new
/// connection, or from its own periodic task) with the file's current modification time, and
/// re-reads the file only when asked to. A reload that fails to parse keeps the previous list
/// (the transport logs the error); a file that disappears also keeps the previous list and is
/// reported as an error, so deleting `revoked.txt` never silently un-revokes anyone.
public struct DenyListWatcher: Sendable {
    /// What the caller should do now.
    public enum Decision: Sendable, Hashable {
        /// The file has not changed since it was last read.
        case unchanged
        /// The file changed (or was never read): read it and call ``loaded(_:modificationTime:)``.
        case reload
        /// The file is gone: the previous list stays in force.
        case fileMissing
    }

    /// The list in force.
    public private(set) var denyList: DenyList
    /// The modification time of the file content that ``denyList`` came from.
    public private(set) var loadedModificationTime: Date?

    /// Starts with an empty list and no file read yet.
    public init(denyList: DenyList = DenyList()) {
        self.denyList = denyList
        self.loadedModificationTime = nil
    }

    /// Compares the file's current modification time (nil when the file does not exist) with
    /// the one last loaded.
    public func check(modificationTime: Date?) -> Decision {
        guard let modificationTime else { return .fileMissing }
        return modificationTime == self.loadedModificationTime ? .unchanged : .reload
    }

    /// Records a successful read.
    public mutating func loaded(_ denyList: DenyList, modificationTime: Date) {
        self.denyList = denyList
        self.loadedModificationTime = modificationTime
    }

    /// Convenience for the shell: stats `path`, and re-reads and parses it when it changed.
    /// - Returns: true when a new list was loaded.
    /// - Throws: the parse or read error, or ``FleetCertificateError/Code/fileMissing`` when the
    ///   file does not exist; the previous list stays in force. A security list fails closed:
    ///   the caller decides whether a missing file may be ignored, never this method.
    @discardableResult
    public mutating func refresh(path: String) throws -> Bool {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let modificationTime = attributes?[.modificationDate] as? Date
        switch self.check(modificationTime: modificationTime) {
        case .unchanged:
            return false
        case .fileMissing:
            let kept = self.loadedModificationTime == nil
                ? "no list was loaded yet"
                : "the list loaded before stays in force (\(self.denyList.clientIDs.count) clients, \(self.denyList.serials.count) serials)"
            throw FleetCertificateError(.fileMissing, reason: "\(path): deny list file does not exist; \(kept)")
        case .reload:
            let text = try PEMFile.readText(path, role: "deny list")
            self.loaded(try DenyList(parsing: text, source: path), modificationTime: modificationTime!)
            return true
        }
    }
}
