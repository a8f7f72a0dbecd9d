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
public final class ModelRegistry: Sendable {
    public let configuration: RegistryConfiguration
    let database: DatabasePool
    let blobs: BlobStore

    /// Opens (creating if needed) the registry in `configuration.directory`.
    public init(configuration: RegistryConfiguration) throws {
        self.configuration = configuration
        do {
            try AtomicFile.ensureDirectory(configuration.directory)
        } catch let error as FileError {
            throw RegistryError(.io, "registry directory: \(error.reason)")
        }
        var config = Configuration()
        config.busyMode = .timeout(configuration.busyTimeout)
        config.foreignKeysEnabled = true
        config.prepareDatabase { db in
            // WAL is durable against a killed process at NORMAL; FULL also survives power loss.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            database = try DatabasePool(path: configuration.databasePath, configuration: config)
            try RegistrySchema.migrator.migrate(database)
        } catch let error as DatabaseError {
            throw RegistryError(.database, "registry \(configuration.databasePath): \(error.message ?? "\(error)")")
        }
        blobs = BlobStore(root: configuration.directory)
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
            throw RegistryError(.database, "registry \(configuration.databasePath): \(error.message ?? "\(error)")")
        }
    }

    var now: Double { configuration.clock().timeIntervalSince1970 }
}
