import Foundation
import GRDB

extension ModelRegistry {
    /// Stores a release decision that changes no status (a canary started). Returns it with its time.
    @discardableResult
    public func record(_ decision: VersionDecision) throws -> VersionDecision {
        let at = now
        return try perform {
            try database.write { db in
                _ = try ModelVersion.fetch(db, number: decision.version)
                return try Self.insert(decision, at: at, db)
            }
        }
    }

    /// Settles a release: promotes `decision.version` (it becomes live) or rejects it with the
    /// decision's reason, and stores the decision, in one transaction.
    @discardableResult
    public func settle(promote: Bool, _ decision: VersionDecision) throws -> ModelVersion {
        let at = now
        return try perform {
            try database.write { db in
                let version = promote ? try Self.promote(db, decision.version, at: at) : try Self.reject(db, decision.version, reason: decision.reason, at: at)
                _ = try Self.insert(decision, at: at, db)
                return version
            }
        }
    }

    /// The decisions stored for `version`, oldest first (none in a registry written before they existed).
    public func decisions(of version: UInt64) throws -> [VersionDecision] {
        try perform {
            try database.read { db in
                guard try db.tableExists("version_decisions") else { return [] }
                return try Row.fetchAll(
                    db, sql: "SELECT * FROM version_decisions WHERE version = ? ORDER BY id", arguments: [try ModelVersion.column(version)]
                ).map { row in
                    let figures = try JSONDecoder().decode([String: Double].self, from: Data((row["figures"] as String).utf8))
                    return VersionDecision(version: version, kind: row["kind"], reason: row["reason"], figures: figures,
                                           at: Date(timeIntervalSince1970: row["at"]))
                }
            }
        }
    }

    private static func insert(_ decision: VersionDecision, at: Double, _ db: Database) throws -> VersionDecision {
        if let bad = decision.figures.first(where: { !$0.value.isFinite }) {
            throw RegistryError(.invalidTransition, "decision '\(decision.kind)' on version \(decision.version): figure '\(bad.key)' is \(bad.value), must be finite")
        }
        try db.execute(
            sql: "INSERT INTO version_decisions (version, kind, at, reason, figures) VALUES (?, ?, ?, ?, ?)",
            arguments: [try ModelVersion.column(decision.version), decision.kind, at, decision.reason, try JSONText.encode(decision.figures)])
        var stored = decision
        stored.at = Date(timeIntervalSince1970: at)
        return stored
    }
}
