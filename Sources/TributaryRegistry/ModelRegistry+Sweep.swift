import Foundation

extension ModelRegistry {
    /// Removes garbage from the blob tree: blobs no version row names and temporary files of
    /// interrupted writes, if older than `cutoff` (default: the newest version's commit time, so
    /// a blob another process wrote for a commit still in flight is left alone).
    @discardableResult
    public func sweep(olderThan cutoff: Date? = nil) throws -> SweepReport {
        let (referenced, newest) = try perform {
            try database.read { db in
                (Set(try String.fetchAll(db, sql: "SELECT digest FROM versions")),
                 try Double.fetchOne(db, sql: "SELECT MAX(created_at) FROM versions"))
            }
        }
        var report = SweepReport(removedOrphans: [], removedTemporaries: [], kept: 0)
        guard let limit = cutoff ?? newest.map(Date.init(timeIntervalSince1970:)) else { return report }
        for file in blobs.files() {
            let isTemporary = file.name.contains(".tmp-")
            let isOrphan = !isTemporary && !referenced.contains(file.name)
            guard (isTemporary || isOrphan) && file.modified < limit else {
                report.kept += 1
                continue
            }
            do {
                try FileManager.default.removeItem(atPath: file.path)
            } catch {
                throw RegistryError(.io, "sweep: cannot remove \(file.path): \(error.localizedDescription)")
            }
            if isTemporary { report.removedTemporaries.append(file.path) } else { report.removedOrphans.append(file.path) }
        }
        return report
    }
}
