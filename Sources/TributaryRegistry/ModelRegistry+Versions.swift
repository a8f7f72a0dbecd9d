import Foundation
import GRDB
import TributaryLearning
import TributarySystem

extension ModelRegistry {
    /// Writes the candidate's blob (fsynced), then inserts its row as a `candidate` in one
    /// transaction. Returns the new version.
    @discardableResult
    public func register(candidate: VersionCandidate) throws -> ModelVersion {
        let bytes: [UInt8]
        do {
            bytes = try CheckpointCodec.encode(candidate.checkpoint)
        } catch let error as LearningError {
            throw RegistryError(.io, "candidate checkpoint cannot be encoded: \(error.reason)")
        }
        if let bad = candidate.metrics.first(where: { !$0.value.isFinite }) {
            throw RegistryError(.invalidTransition, "candidate metric '\(bad.key)' is \(bad.value), must be finite")
        }
        let participants = try JSONText.encode(candidate.participants)
        let metrics = try JSONText.encode(candidate.metrics)
        // Blob first, durable, then the row: a row never names a blob that is not all there.
        let digest = try blobs.write(bytes)
        let at = now
        return try perform {
            try database.write { db in
                if let parent = candidate.parent {
                    _ = try ModelVersion.fetch(db, number: parent)
                }
                let roundID = try candidate.roundID.map(RoundRecord.column)
                let number = (try Int64.fetchOne(db, sql: "SELECT MAX(number) FROM versions") ?? 0) + 1
                try db.execute(
                    sql: """
                        INSERT INTO versions (number, digest, parent, round_id, participants, metrics, status, live, created_at, note, byte_count)
                        VALUES (?, ?, ?, ?, ?, ?, 'candidate', 0, ?, ?, ?)
                        """,
                    arguments: [number, digest, try candidate.parent.map(ModelVersion.column), roundID, participants, metrics, at, candidate.note, bytes.count])
                let registered = try StoredNumber.value(number, "number", of: "the new version")
                try Self.event(db, version: registered, action: "register", at: at)
                return try ModelVersion.fetch(db, number: registered)
            }
        }
    }

    /// Makes `number` the live version (a candidate, or a promoted version that is not live).
    /// The previous live version stays `promoted`, no longer live. One transaction.
    @discardableResult
    public func promote(_ number: UInt64) throws -> ModelVersion {
        let at = now
        return try perform { try database.write { db in try Self.promote(db, number, at: at) } }
    }

    static func promote(_ db: Database, _ number: UInt64, at: Double) throws -> ModelVersion {
        let version = try ModelVersion.fetch(db, number: number)
        if version.isLive { return version }
        guard version.status == .candidate || version.status == .promoted else {
            throw RegistryError(.invalidTransition, "version \(number) is \(version.status.rawValue); only a candidate or a promoted version can be promoted")
        }
        try db.execute(sql: "UPDATE versions SET live = 0 WHERE live = 1")
        try db.execute(sql: "UPDATE versions SET status = 'promoted', live = 1, status_reason = '' WHERE number = ?", arguments: [try ModelVersion.column(number)])
        try Self.event(db, version: number, action: "promote", at: at)
        return try ModelVersion.fetch(db, number: number)
    }

    /// Marks a version `rejected` with `reason` (for example the evaluation gate that failed): a
    /// candidate, or a promoted version found bad later, which can then never be restored. Rejecting
    /// the live version also takes it out of service the way ``rollback(to:reason:)`` does: the
    /// version live before it is live again (one transaction), and a running coordinator releases
    /// that one to every edge. Returns the rejected version.
    @discardableResult
    public func reject(_ number: UInt64, reason: String) throws -> ModelVersion {
        let at = now
        return try perform { try database.write { db in try Self.reject(db, number, reason: reason, at: at) } }
    }

    static func reject(_ db: Database, _ number: UInt64, reason: String, at: Double) throws -> ModelVersion {
        let version = try ModelVersion.fetch(db, number: number)
        if version.isLive {
            return try Self.retireLive(db, current: version, to: nil, status: "rejected", action: "reject", reason: reason, at: at).retired
        }
        guard version.status == .candidate || version.status == .promoted else {
            throw RegistryError(.invalidTransition, "version \(number) is \(version.status.rawValue); only a candidate or a promoted version can be rejected")
        }
        try db.execute(sql: "UPDATE versions SET status = 'rejected', status_reason = ? WHERE number = ?", arguments: [reason, try ModelVersion.column(number)])
        try Self.event(db, version: number, action: "reject", at: at, reason: reason)
        return try ModelVersion.fetch(db, number: number)
    }

    /// Takes the live version out of service (status `rolled_back`) and makes `target` live again,
    /// by default the version that was live before it (the latest earlier promotion still
    /// `promoted`). One transaction. Returns (the rolled-back version, the new live version).
    @discardableResult
    public func rollback(to target: UInt64? = nil, reason: String = "") throws -> (rolledBack: ModelVersion, live: ModelVersion) {
        let at = now
        return try perform {
            try database.write { db in
                guard let liveRow = try Row.fetchOne(db, sql: "SELECT * FROM versions WHERE live = 1") else {
                    throw RegistryError(.noLiveVersion, "rollback: no version is live")
                }
                let current = try ModelVersion(row: liveRow)
                let (retired, live) = try Self.retireLive(db, current: current, to: target, status: "rolled_back", action: "rollback", reason: reason, at: at)
                return (retired, live)
            }
        }
    }

    /// Takes the live version `current` out of service with `status` and makes `target` live, by
    /// default the latest earlier promotion still `promoted`: what rollback and reject of the live
    /// version share, inside their transaction.
    private static func retireLive(_ db: Database, current: ModelVersion, to target: UInt64?, status: String, action: String,
                                   reason: String, at: Double) throws -> (retired: ModelVersion, live: ModelVersion) {
        let destination: UInt64
        if let target {
            let version = try ModelVersion.fetch(db, number: target)
            guard target != current.number else {
                throw RegistryError(.invalidTransition, "\(action): version \(target) is the live version")
            }
            guard version.status == .promoted else {
                throw RegistryError(.invalidTransition, "\(action): version \(target) is \(version.status.rawValue); only a previously promoted version can be restored")
            }
            destination = target
        } else {
            guard let previous = try Int64.fetchOne(db, sql: """
                SELECT e.version FROM version_events e JOIN versions v ON v.number = e.version
                WHERE e.action IN ('promote', 'restore') AND e.version <> ? AND v.status = 'promoted'
                ORDER BY e.id DESC LIMIT 1
                """, arguments: [try ModelVersion.column(current.number)])
            else {
                throw RegistryError(.noLiveVersion, "\(action): version \(current.number) is live and no earlier promoted version remains to return to")
            }
            destination = try StoredNumber.value(previous, "version", of: "the rollback target")
        }
        let why = reason.isEmpty ? "rolled back to version \(destination)" : reason
        try db.execute(sql: "UPDATE versions SET status = ?, live = 0, status_reason = ? WHERE number = ?", arguments: [status, why, try ModelVersion.column(current.number)])
        try db.execute(sql: "UPDATE versions SET live = 1 WHERE number = ?", arguments: [try ModelVersion.column(destination)])
        try Self.event(db, version: current.number, action: action, at: at, reason: why)
        try Self.event(db, version: destination, action: "restore", at: at, reason: "replaces version \(current.number)")
        return (try ModelVersion.fetch(db, number: current.number), try ModelVersion.fetch(db, number: destination))
    }

    /// The live version, if any has been promoted.
    public func live() throws -> ModelVersion? {
        try perform {
            try database.read { db in try Row.fetchOne(db, sql: "SELECT * FROM versions WHERE live = 1").map(ModelVersion.init(row:)) }
        }
    }

    /// Every version, oldest first.
    public func list() throws -> [ModelVersion] {
        try perform {
            try database.read { db in try Row.fetchAll(db, sql: "SELECT * FROM versions ORDER BY number").map(ModelVersion.init(row:)) }
        }
    }

    /// One version's row.
    public func show(_ number: UInt64) throws -> ModelVersion {
        try perform { try database.read { try ModelVersion.fetch($0, number: number) } }
    }

    /// The version's checkpoint, read from its blob and verified against the recorded digest.
    public func load(_ number: UInt64) throws -> Checkpoint {
        let bytes = try verifiedBytes(number)
        do {
            return try CheckpointCodec.decode(bytes)
        } catch let error as LearningError {
            throw RegistryError(.corruptBlob, "version \(number): \(error.reason)")
        }
    }

    /// Copies the version's verified checkpoint bytes to `path` atomically.
    public func export(_ number: UInt64, to path: String, overwrite: Bool = false) throws {
        let bytes = try verifiedBytes(number)
        do {
            try AtomicFile.write(bytes, to: path, overwrite: overwrite)
        } catch let error as FileError {
            throw RegistryError(.io, "export of version \(number): \(error.reason)")
        }
    }

    /// The blob of `number`, checked against its row's digest.
    public func verifiedBytes(_ number: UInt64) throws -> [UInt8] {
        let version = try show(number)
        return try blobs.read(version.digest, version: number)
    }

    /// The blob path of a version (for diagnostics and tests).
    public func blobPath(of version: ModelVersion) -> String { blobs.path(of: version.digest) }

    static func event(_ db: Database, version: UInt64, action: String, at: Double, reason: String = "") throws {
        try db.execute(
            sql: "INSERT INTO version_events (version, action, at, reason) VALUES (?, ?, ?, ?)",
            arguments: [try ModelVersion.column(version), action, at, reason])
    }
}

extension ModelRegistry {
    /// Writes a checkpoint's blob (fsynced) without committing a row: the first half of
    /// `register`, exposed so crash tests can stop a process exactly between the two halves.
    @_spi(CrashTesting)
    public func writeBlobOnly(_ checkpoint: Checkpoint) throws -> String {
        try blobs.write(try CheckpointCodec.encode(checkpoint))
    }
}
