#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import TributarySystem

/// The fleet directory's files, written through the shared `TributarySystem.AtomicFile`, with
/// its errors mapped to `FleetCertificateError`.
enum FleetFile {
    static let publicMode = AtomicFile.publicMode
    static let privateMode = AtomicFile.privateMode

    static func write(_ text: String, to path: String, mode: mode_t, overwrite: Bool) throws {
        try mapped { try AtomicFile.write(Array(text.utf8), to: path, mode: mode, overwrite: overwrite) }
    }

    static func exists(_ path: String) -> Bool { AtomicFile.exists(path) }

    static func ensureDirectory(_ path: String) throws {
        try mapped { try AtomicFile.ensureDirectory(path) }
    }

    static func directory(of path: String) -> String { AtomicFile.directory(of: path) }

    private static func mapped(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as FileError {
            throw FleetCertificateError(error.code == .exists ? .fileExists : .fileWriteFailed, reason: error.reason)
        }
    }
}
