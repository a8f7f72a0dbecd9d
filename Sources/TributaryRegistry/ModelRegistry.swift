import Foundation
import GRDB
import TributarySystem

/// The coordinator's model registry: version metadata in SQLite (WAL, synchronous = FULL) and
/// checkpoint bytes in content-addressed blob files, plus the round journal.
///
/// A version is committed as: write blob → fsync → one transaction that inserts its row. A row
/// therefore never names a blob that is missing or half-written; a crash between the two leaves
/// an orphan blob, which `sweep()` removes. Status changes (promote, reject, rollback) are single
/// transactions too, and a unique partial index keeps at most one version live.
///
/// `configuration.access` decides the rest: `.exclusive` (a coordinator) holds the registry's lock
/// file for the registry's life and may `sweep()`; `.shared` changes rows beside it; `.readOnly`
/// only reads, and works where the process cannot write.
public final class ModelRegistry: Sendable {
    public let configuration: RegistryConfiguration
    let database: any DatabaseWriter
    let blobs: BlobStore
    /// Held while the registry is open `.exclusive`.
    let lock: RegistryLock?

    /// Opens the registry in `configuration.directory`: read-only as it is, otherwise creating it
    /// if needed (and, for `.exclusive`, taking its lock first).
    /// - Throws: `RegistryError` `.locked` (another process holds the lock; the reason names it),
    ///   `.readOnly` (writing access asked of a registry this process cannot write), `.io`, `.database`.
    public init(configuration: RegistryConfiguration) throws {
        self.configuration = configuration
        blobs = BlobStore(root: configuration.directory)
        if configuration.access == .readOnly {
            lock = nil
            database = try Self.openReadOnly(configuration)
            return
        }
        do {
            try AtomicFile.ensureDirectory(configuration.directory)
        } catch let error as FileError {
            throw RegistryError(.io, "registry directory: \(error.reason)")
        }
        try Self.checkWritable(configuration)
        lock = configuration.access == .exclusive ? try RegistryLock.acquire(configuration) : nil
        var config = Configuration()
        config.busyMode = .timeout(configuration.busyTimeout)
        config.foreignKeysEnabled = true
        config.prepareDatabase { db in
            // WAL is durable against a killed process at NORMAL; FULL also survives power loss.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            let pool = try DatabasePool(path: configuration.databasePath, configuration: config)
            try RegistrySchema.migrator.migrate(pool)
            database = pool
        } catch let error as DatabaseError {
            throw Self.failure(error, configuration)
        }
    }

    /// Opens the registry in `directory` with the wall clock.
    public convenience init(directory: String) throws {
        try self.init(configuration: RegistryConfiguration(directory: directory))
    }

    /// The SQLite journal mode in force ("wal").
    public func journalMode() throws -> String {
        try perform { try self.database.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") ?? "" } }
    }

    /// Runs a database operation, turning GRDB errors into `RegistryError`s.
    func perform<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as RegistryError {
            throw error
        } catch let error as DatabaseError {
            throw Self.failure(error, configuration)
        }
    }

    static func failure(_ error: DatabaseError, _ configuration: RegistryConfiguration) -> RegistryError {
        let message = error.message ?? "\(error)"
        if error.resultCode == .SQLITE_READONLY {
            let how = configuration.access == .readOnly ? "opened read-only" : "read-only"
            return RegistryError(.readOnly, "registry \(configuration.databasePath) is \(how): \(message)")
        }
        return RegistryError(.database, "registry \(configuration.databasePath): \(message)")
    }

    var now: Double { configuration.clock().timeIntervalSince1970 }
}
