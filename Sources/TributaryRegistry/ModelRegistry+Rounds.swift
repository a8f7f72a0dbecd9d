import Foundation
import GRDB

extension ModelRegistry {
    /// Journals a new round in `collecting`.
    @discardableResult
    public func openRound(id: Int64, baseVersion: Int64?, selected: [String], deadline: Date) throws -> RoundRecord {
        let at = now
        let selectedJSON = try JSONText.encode(selected)
        return try perform {
            try database.write { db in
                if try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM rounds WHERE id = ?)", arguments: [id]) == true {
                    throw RegistryError(.roundExists, "round \(id) was already opened")
                }
                if let baseVersion { _ = try ModelVersion.fetch(db, number: baseVersion) }
                try db.execute(
                    sql: "INSERT INTO rounds (id, state, base_version, selected, deadline, opened_at, updated_at) VALUES (?, 'collecting', ?, ?, ?, ?, ?)",
                    arguments: [id, baseVersion, selectedJSON, deadline.timeIntervalSince1970, at, at])
                return try Self.fetchRound(db, id: id)
            }
        }
    }

    /// Journals an accepted update; the round must be collecting and the client not yet counted.
    public func recordUpdate(round id: Int64, clientID: String, examples: Int, digest: String) throws {
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
                    arguments: [id, clientID, examples, digest, at])
                try db.execute(sql: "UPDATE rounds SET updated_at = ? WHERE id = ?", arguments: [at, id])
            }
        }
    }

    /// Moves a round to `state` (aggregating or committing); other moves have their own calls.
    @discardableResult
    public func advanceRound(_ id: Int64, to state: RoundState) throws -> RoundRecord {
        guard state == .aggregating || state == .committing else {
            throw RegistryError(.invalidRound, "round \(id): advance to \(state.rawValue) is not allowed; use closeRound or abandonRound")
        }
        return try transition(id, to: state)
    }

    /// Closes a committing round with the version it produced.
    @discardableResult
    public func closeRound(_ id: Int64, version: Int64) throws -> RoundRecord {
        try transition(id, to: .closed) { db in
            let committed = try ModelVersion.fetch(db, number: version)
            guard committed.roundID == id else {
                throw RegistryError(.invalidRound, "round \(id): version \(version) belongs to round \(committed.roundID.map(String.init) ?? "none")")
            }
            try db.execute(sql: "UPDATE rounds SET result_version = ? WHERE id = ?", arguments: [version, id])
        }
    }

    /// Abandons an unfinished round; the live model stays.
    @discardableResult
    public func abandonRound(_ id: Int64, reason: String) throws -> RoundRecord {
        try transition(id, to: .abandoned) { db in
            try db.execute(sql: "UPDATE rounds SET reason = ? WHERE id = ?", arguments: [reason, id])
        }
    }

    /// A round with its accepted updates.
    public func round(_ id: Int64) throws -> RoundRecord {
        try perform { try database.read { try Self.fetchRound($0, id: id) } }
    }

    /// The highest round id in the journal (nil when no round was ever opened): a restarted
    /// coordinator numbers its next round after it.
    public func lastRoundID() throws -> Int64? {
        try perform { try database.read { try Int64.fetchOne($0, sql: "SELECT MAX(id) FROM rounds") } }
    }

    /// Rounds not closed or abandoned, oldest first: what a restarted coordinator must resolve.
    public func unfinishedRounds() throws -> [RoundRecord] {
        try perform {
            try database.read { db in
                try Int64.fetchAll(db, sql: "SELECT id FROM rounds WHERE state IN ('collecting', 'aggregating', 'committing') ORDER BY id")
                    .map { try Self.fetchRound(db, id: $0) }
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
                try database.read { try Int64.fetchOne($0, sql: "SELECT MAX(number) FROM versions WHERE round_id = ?", arguments: [round.id]) }
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

    private func transition(_ id: Int64, to state: RoundState, also: ((Database) throws -> Void)? = nil) throws -> RoundRecord {
        let at = now
        return try perform {
            try database.write { db in
                let round = try Self.fetchRound(db, id: id)
                guard round.state.successors.contains(state) else {
                    throw RegistryError(.invalidRound, "round \(id) is \(round.state.rawValue) and cannot become \(state.rawValue)")
                }
                try db.execute(sql: "UPDATE rounds SET state = ?, updated_at = ? WHERE id = ?", arguments: [state.rawValue, at, id])
                try also?(db)
                return try Self.fetchRound(db, id: id)
            }
        }
    }

    static func fetchRound(_ db: Database, id: Int64) throws -> RoundRecord {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM rounds WHERE id = ?", arguments: [id]) else {
            throw RegistryError(.roundNotFound, "round \(id) is not in the journal")
        }
        let stateText: String = row["state"]
        guard let state = RoundState(rawValue: stateText) else {
            throw RegistryError(.database, "round \(id): unknown state '\(stateText)'")
        }
        let selectedJSON: String = row["selected"]
        let updates = try Row.fetchAll(
            db, sql: "SELECT * FROM round_updates WHERE round_id = ? ORDER BY accepted_at, client_id", arguments: [id]
        ).map { update in
            AcceptedUpdate(
                clientID: update["client_id"], examples: update["examples"], digest: update["digest"],
                acceptedAt: Date(timeIntervalSince1970: update["accepted_at"]))
        }
        return RoundRecord(
            id: id, state: state, baseVersion: row["base_version"],
            selected: try JSONDecoder().decode([String].self, from: Data(selectedJSON.utf8)),
            deadline: Date(timeIntervalSince1970: row["deadline"]), openedAt: Date(timeIntervalSince1970: row["opened_at"]),
            updatedAt: Date(timeIntervalSince1970: row["updated_at"]), resultVersion: row["result_version"],
            reason: row["reason"], updates: updates)
    }
}
