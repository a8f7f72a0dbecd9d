import Foundation
import GRDB

extension ModelRegistry {
    /// Journals a new round in `collecting`.
    @discardableResult
    public func openRound(id: UInt64, baseVersion: UInt64?, selected: [String], deadline: Date) throws -> RoundRecord {
        let at = now
        let storedID = try StoredNumber.column(
            id, orThrow: RegistryError(.invalidRound, "round id \(id) is over \(StoredNumber.largest), the largest the journal stores"))
        let selectedJSON = try JSONText.encode(selected)
        return try perform {
            try database.write { db in
                if try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM rounds WHERE id = ?)", arguments: [storedID]) == true {
                    throw RegistryError(.roundExists, "round \(id) was already opened")
                }
                if let baseVersion { _ = try ModelVersion.fetch(db, number: baseVersion) }
                try db.execute(
                    sql: "INSERT INTO rounds (id, state, base_version, selected, deadline, opened_at, updated_at) VALUES (?, 'collecting', ?, ?, ?, ?, ?)",
                    arguments: [storedID, try baseVersion.map(ModelVersion.column), selectedJSON, deadline.timeIntervalSince1970, at, at])
                return try Self.fetchRound(db, id: id)
            }
        }
    }

    /// Journals an accepted update; the round must be collecting and the client not yet counted.
    public func recordUpdate(round id: UInt64, clientID: String, examples: Int, digest: String) throws {
        let at = now
        try perform {
            try database.write { db in
                let round = try Self.fetchRound(db, id: id)
                guard round.state == .collecting else {
                    throw RegistryError(.invalidRound, "round \(id) is \(round.state.rawValue); updates are recorded only while collecting")
                }
                guard examples > 0 else {
                    throw RegistryError(.invalidRound, "round \(id): client '\(clientID)' examples is \(examples), must be > 0")
                }
                guard !round.updates.contains(where: { $0.clientID == clientID }) else {
                    throw RegistryError(.invalidRound, "round \(id): client '\(clientID)' already has an accepted update")
                }
                try db.execute(
                    sql: "INSERT INTO round_updates (round_id, client_id, examples, digest, accepted_at) VALUES (?, ?, ?, ?, ?)",
                    arguments: [try RoundRecord.column(id), clientID, examples, digest, at])
                try db.execute(sql: "UPDATE rounds SET updated_at = ? WHERE id = ?", arguments: [at, try RoundRecord.column(id)])
            }
        }
    }

    /// Moves a round to `state` (aggregating or committing); other moves have their own calls.
    @discardableResult
    public func advanceRound(_ id: UInt64, to state: RoundState) throws -> RoundRecord {
        guard state == .aggregating || state == .committing else {
            throw RegistryError(.invalidRound, "round \(id): advance to \(state.rawValue) is not allowed; use closeRound or abandonRound")
        }
        return try transition(id, to: state)
    }

    /// Closes a committing round with the version it produced.
    @discardableResult
    public func closeRound(_ id: UInt64, version: UInt64) throws -> RoundRecord {
        try transition(id, to: .closed) { db in
            let committed = try ModelVersion.fetch(db, number: version)
            guard committed.roundID == id else {
                throw RegistryError(.invalidRound, "round \(id): version \(version) belongs to round \(committed.roundID.map(String.init) ?? "none")")
            }
            try db.execute(sql: "UPDATE rounds SET result_version = ? WHERE id = ?", arguments: [try ModelVersion.column(version), try RoundRecord.column(id)])
        }
    }

    /// Abandons an unfinished round; the live model stays.
    @discardableResult
    public func abandonRound(_ id: UInt64, reason: String) throws -> RoundRecord {
        try transition(id, to: .abandoned) { db in
            try db.execute(sql: "UPDATE rounds SET reason = ? WHERE id = ?", arguments: [reason, try RoundRecord.column(id)])
        }
    }

    /// A round with its accepted updates.
    public func round(_ id: UInt64) throws -> RoundRecord {
        try perform { try database.read { try Self.fetchRound($0, id: id) } }
    }

    /// The highest round id in the journal (nil when no round was ever opened): a restarted
    /// coordinator numbers its next round after it.
    public func lastRoundID() throws -> UInt64? {
        try perform {
            try database.read { db in
                try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM rounds").map { try StoredNumber.value($0, "MAX(id)", of: "the round journal") }
            }
        }
    }

    /// Rounds not closed or abandoned, oldest first: what a restarted coordinator must resolve.
    public func unfinishedRounds() throws -> [RoundRecord] {
        try perform {
            try database.read { db in
                try Int64.fetchAll(db, sql: "SELECT id FROM rounds WHERE state IN ('collecting', 'aggregating', 'committing') ORDER BY id")
                    .map { try Self.fetchRound(db, id: try StoredNumber.value($0, "id", of: "an unfinished round")) }
            }
        }
    }

    /// At start-up: decides each unfinished round (`RoundRecovery.decide`), closes or abandons it
    /// in the journal as decided, and returns the decisions (resumed rounds stay collecting).
    public func recoverRounds(now: Date) throws -> [RoundRecovery] {
        let liveVersion = try live()?.number
        var decisions: [RoundRecovery] = []
        for round in try unfinishedRounds() {
            let committed = try perform {
                try database.read { db in
                    try Int64.fetchOne(db, sql: "SELECT MAX(number) FROM versions WHERE round_id = ?", arguments: [try RoundRecord.column(round.id)])
                        .map { try StoredNumber.value($0, "number", of: "the version of round \(round.id)") }
                }
            }
            let decision = RoundRecovery.decide(round, now: now, liveVersion: liveVersion, committedVersion: committed)
            switch decision {
            case .resume: break
            case .close(let id, let version): try closeRound(id, version: version)
            case .abandon(let id, let reason): try abandonRound(id, reason: reason)
            }
            decisions.append(decision)
        }
        return decisions
    }

    private func transition(_ id: UInt64, to state: RoundState, also: ((Database) throws -> Void)? = nil) throws -> RoundRecord {
        let at = now
        return try perform {
            try database.write { db in
                let round = try Self.fetchRound(db, id: id)
                guard round.state.successors.contains(state) else {
                    throw RegistryError(.invalidRound, "round \(id) is \(round.state.rawValue) and cannot become \(state.rawValue)")
                }
                try db.execute(sql: "UPDATE rounds SET state = ?, updated_at = ? WHERE id = ?", arguments: [state.rawValue, at, try RoundRecord.column(id)])
                try also?(db)
                return try Self.fetchRound(db, id: id)
            }
        }
    }

    static func fetchRound(_ db: Database, id: UInt64) throws -> RoundRecord {
        let storedID = try RoundRecord.column(id)
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM rounds WHERE id = ?", arguments: [storedID]) else {
            throw RegistryError(.roundNotFound, "round \(id) is not in the journal")
        }
        let stateText: String = row["state"]
        guard let state = RoundState(rawValue: stateText) else {
            throw RegistryError(.database, "round \(id): unknown state '\(stateText)'")
        }
        let selectedJSON: String = row["selected"]
        let updates = try Row.fetchAll(
            db, sql: "SELECT * FROM round_updates WHERE round_id = ? ORDER BY accepted_at, client_id", arguments: [storedID]
        ).map { update in
            AcceptedUpdate(
                clientID: update["client_id"], examples: update["examples"], digest: update["digest"],
                acceptedAt: Date(timeIntervalSince1970: update["accepted_at"]))
        }
        return RoundRecord(
            id: id, state: state, baseVersion: try StoredNumber.readOptional(row, "base_version", of: "round \(id)"),
            selected: try JSONDecoder().decode([String].self, from: Data(selectedJSON.utf8)),
            deadline: Date(timeIntervalSince1970: row["deadline"]), openedAt: Date(timeIntervalSince1970: row["opened_at"]),
            updatedAt: Date(timeIntervalSince1970: row["updated_at"]), resultVersion: try StoredNumber.readOptional(row, "result_version", of: "round \(id)"),
            reason: row["reason"], updates: updates)
    }
}
