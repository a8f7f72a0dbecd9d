import GRDB

/// The registry's tables, created by migrations so later versions can evolve them.
enum RegistrySchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE versions (
                    number        INTEGER PRIMARY KEY,
                    digest        TEXT NOT NULL CHECK (length(digest) = 64),
                    parent        INTEGER REFERENCES versions(number),
                    round_id      INTEGER,
                    participants  TEXT NOT NULL,
                    metrics       TEXT NOT NULL,
                    status        TEXT NOT NULL CHECK (status IN ('candidate', 'promoted', 'rejected', 'rolled_back')),
                    live          INTEGER NOT NULL DEFAULT 0 CHECK (live IN (0, 1) AND (live = 0 OR status = 'promoted')),
                    created_at    REAL NOT NULL,
                    note          TEXT NOT NULL DEFAULT '',
                    status_reason TEXT NOT NULL DEFAULT '',
                    byte_count    INTEGER NOT NULL
                );
                -- At most one live version: a second live row fails the transaction that made it.
                CREATE UNIQUE INDEX versions_one_live ON versions(live) WHERE live = 1;
                CREATE INDEX versions_round ON versions(round_id);

                -- Every status change, in order: the promotion history a rollback walks back through.
                CREATE TABLE version_events (
                    id      INTEGER PRIMARY KEY AUTOINCREMENT,
                    version INTEGER NOT NULL REFERENCES versions(number),
                    action  TEXT NOT NULL CHECK (action IN ('register', 'promote', 'reject', 'rollback', 'restore')),
                    at      REAL NOT NULL,
                    reason  TEXT NOT NULL DEFAULT ''
                );

                CREATE TABLE rounds (
                    id            INTEGER PRIMARY KEY,
                    state         TEXT NOT NULL CHECK (state IN ('collecting', 'aggregating', 'committing', 'closed', 'abandoned')),
                    base_version  INTEGER REFERENCES versions(number),
                    selected      TEXT NOT NULL,
                    deadline      REAL NOT NULL,
                    opened_at     REAL NOT NULL,
                    updated_at    REAL NOT NULL,
                    result_version INTEGER REFERENCES versions(number),
                    reason        TEXT NOT NULL DEFAULT ''
                );
                CREATE TABLE round_updates (
                    round_id    INTEGER NOT NULL REFERENCES rounds(id),
                    client_id   TEXT NOT NULL,
                    examples    INTEGER NOT NULL CHECK (examples > 0),
                    digest      TEXT NOT NULL,
                    accepted_at REAL NOT NULL,
                    PRIMARY KEY (round_id, client_id)
                );
                """)
        }
        migrator.registerMigration("v2-decisions") { db in
            try db.execute(sql: """
                -- Release decisions with their evidence (canary comparisons, operator decisions).
                CREATE TABLE version_decisions (
                    id      INTEGER PRIMARY KEY AUTOINCREMENT,
                    version INTEGER NOT NULL REFERENCES versions(number),
                    kind    TEXT NOT NULL CHECK (length(kind) > 0),
                    at      REAL NOT NULL,
                    reason  TEXT NOT NULL DEFAULT '',
                    figures TEXT NOT NULL DEFAULT '{}'
                );
                CREATE INDEX version_decisions_version ON version_decisions(version);
                """)
        }
        return migrator
    }
}
