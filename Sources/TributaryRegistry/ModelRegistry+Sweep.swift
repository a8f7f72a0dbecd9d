#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

extension ModelRegistry {
    /// Removes the debris of killed writers from the blob tree: blobs no version row names (a kill
    /// between a blob's rename and its row's commit) and temporary files of interrupted writes
    /// (`<digest>.tmp-<pid>-<n>`, a kill mid-write). Every other file is kept.
    ///
    /// Only blob writers leave such files, and only a process holding the registry's lock writes
    /// blobs, so with the lock held nothing another process writes can be removed; this process's
    /// own temporaries are kept.
    /// - Throws: `RegistryError` `.locked` unless the registry was opened `.exclusive`.
    @discardableResult
    public func sweep() throws -> SweepReport {
        guard lock != nil else {
            throw RegistryError(.locked, "sweep of registry \(configuration.directory): needs the registry's lock (open it with access .exclusive)")
        }
        let referenced = try perform {
            try database.read { db in Set(try String.fetchAll(db, sql: "SELECT digest FROM versions")) }
        }
        let ownTemporary = ".tmp-\(getpid())-"
        var report = SweepReport()
        for file in blobs.files() {
            let isTemporary = file.name.contains(".tmp-")
            guard isTemporary ? !file.name.contains(ownTemporary) : !referenced.contains(file.name) else {
                report.kept += 1
                continue
            }
            do {
                try FileManager.default.removeItem(atPath: file.path)
            } catch {
                throw RegistryError(.io, "sweep: cannot remove \(file.path): \(error.localizedDescription)")
            }
            report.removedBytes += file.bytes
            if isTemporary { report.removedTemporaries.append(file.path) } else { report.removedOrphans.append(file.path) }
        }
        return report
    }
}
