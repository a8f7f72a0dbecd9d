#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import GRDB
import TributarySystem

extension ModelRegistry {
    /// Opens the database with SQLite's read-only flag, writing nothing (no migration, no lock).
    ///
    /// A WAL database is read through its `-wal` and `-shm` files. While a writer runs, or after
    /// one was killed, they exist and SQLite (3.22+) reads through them even in a directory it
    /// cannot write. After a clean close they are gone and a read-only directory cannot hold new
    /// ones; everything is then in the main file, so it is opened `immutable=1` (no locking and no
    /// shared memory: correct because no `-wal` means no writer had it open).
    static func openReadOnly(_ configuration: RegistryConfiguration) throws -> DatabaseQueue {
        let path = configuration.databasePath
        guard AtomicFile.exists(path) else {
            throw RegistryError(.database, "registry \(configuration.directory): not a registry (no registry.sqlite inside)")
        }
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(configuration.busyTimeout)
        let immutable = !AtomicFile.exists(path + "-wal") && access(configuration.directory, W_OK) != 0
        do {
            let queue = try DatabaseQueue(path: immutable ? immutableURI(path) : path, configuration: config)
            guard try queue.read({ try RegistrySchema.migrator.hasCompletedMigrations($0) }) else {
                throw RegistryError(.database, "registry \(path): its schema is older than this program's; open it once with write access (start the coordinator) to migrate it")
            }
            return queue
        } catch let error as DatabaseError {
            throw RegistryError(.database, "registry \(path) (opened read-only\(immutable ? ", immutable" : "")): \(error.message ?? "\(error)")")
        }
    }

    /// Refuses write access up front, naming the file that cannot be written: root ignores
    /// permissions but not a read-only mount, so `access(2)` is asked rather than the mode bits.
    static func checkWritable(_ configuration: RegistryConfiguration) throws {
        let directory = configuration.directory
        let files = [directory, configuration.databasePath, configuration.databasePath + "-wal",
                     configuration.databasePath + "-shm", directory + "/blobs"]
        for file in files where file == directory || AtomicFile.exists(file) {
            guard access(file, W_OK) != 0 else { continue }
            let why = String(cString: strerror(errno))
            throw RegistryError(.readOnly, "registry \(directory) is read-only (\(file): \(why)); only reading it (list, show, export) works")
        }
    }

    /// `file:` URI with `immutable=1` (the system SQLite accepts URI file names).
    private static func immutableURI(_ path: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        return "file:" + (path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path) + "?immutable=1"
    }
}
