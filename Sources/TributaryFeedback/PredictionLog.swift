import Foundation
import GRDB

/// The prediction log, in the feedback store's database but apart from the examples: every served
/// prediction (inputs, class, probabilities, version, time) under its own quota
/// (``FeedbackStore/Configuration/maxPredictions``, oldest dropped), so logging never evicts a
/// labelled example; the review queue over it; and the live accuracy per model version that
/// feedback on logged predictions keeps (`FeedbackStore.insert`
/// records it, in the feedback's own transaction). Get it as ``FeedbackStore/predictions``.
public struct PredictionLog: Sendable {
    let store: FeedbackStore

    var configuration: FeedbackStore.Configuration { store.configuration }

    /// One prediction to log: the inputs and the model's answer.
    public struct NewPrediction: Sendable, Equatable {
        public var features: [Float]
        public var predictedClass: Int32
        public var probabilities: [Float]
        public var modelVersion: UInt64

        public init(features: [Float], predictedClass: Int32, probabilities: [Float], modelVersion: UInt64) {
            self.features = features
            self.predictedClass = predictedClass
            self.probabilities = probabilities
            self.modelVersion = modelVersion
        }
    }

    static func registerMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v2-prediction-log") { db in
            try db.execute(sql: """
                ALTER TABLE example ADD COLUMN weight REAL NOT NULL DEFAULT 1;
                ALTER TABLE example ADD COLUMN prediction_id INTEGER;
                CREATE TABLE prediction (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    features BLOB NOT NULL,
                    class INTEGER NOT NULL,
                    probabilities BLOB NOT NULL,
                    model_version INTEGER NOT NULL,
                    predicted_at REAL NOT NULL,
                    outcome INTEGER
                );
                CREATE TABLE review (prediction_id INTEGER PRIMARY KEY);
                CREATE TABLE live_accuracy (model_version INTEGER PRIMARY KEY, correct INTEGER NOT NULL, total INTEGER NOT NULL);
                CREATE TABLE outcome (id INTEGER PRIMARY KEY AUTOINCREMENT, model_version INTEGER NOT NULL, correct INTEGER NOT NULL);
                """)
        }
    }

    /// Outcomes kept for the triggers to read (the newest; the agent reads them every few seconds).
    static let outcomesKept = 10_000

    /// Logs served predictions in one transaction (one fsync in WAL mode), queues those the
    /// review policy selects, and drops the oldest beyond the quota. Returns them with their ids.
    public func log(_ predictions: [NewPrediction], now: Date = Date()) throws -> [LoggedPrediction] {
        guard !predictions.isEmpty else { return [] }
        return try store.storage {
            try store.database.write { db in
                var logged: [LoggedPrediction] = []
                logged.reserveCapacity(predictions.count)
                for prediction in predictions {
                    try db.execute(
                        sql: "INSERT INTO prediction (features, class, probabilities, model_version, predicted_at) VALUES (?, ?, ?, ?, ?)",
                        arguments: [Self.blob(prediction.features), Int64(prediction.predictedClass), Self.blob(prediction.probabilities),
                                    Int64(clamping: prediction.modelVersion), now.timeIntervalSince1970])
                    let id = db.lastInsertedRowID
                    if configuration.review.selects(predictionID: id, probabilities: prediction.probabilities) {
                        try db.execute(sql: "INSERT INTO review (prediction_id) VALUES (?)", arguments: [id])
                    }
                    logged.append(LoggedPrediction(id: id, features: prediction.features, predictedClass: prediction.predictedClass,
                                                   probabilities: prediction.probabilities, modelVersion: prediction.modelVersion, time: now))
                }
                try applyPredictionQuota(db, newest: logged.last!.id)
                return logged
            }
        }
    }

    /// The logged prediction `id`, or nil when it was never logged or has been dropped.
    public func prediction(_ id: Int64) throws -> LoggedPrediction? {
        try store.storage { try store.database.read { db in try Self.loggedPrediction(id, db: db) } }
    }

    /// Predictions logged now (at most ``FeedbackStore/Configuration/maxPredictions``).
    public func count() throws -> Int {
        try store.storage { try store.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM prediction") ?? 0 } }
    }

    /// The review queue, oldest first (at most `limit`).
    public func reviewQueue(limit: Int = 1_000) throws -> [LoggedPrediction] {
        try store.storage {
            try store.database.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT p.* FROM review r JOIN prediction p ON p.id = r.prediction_id ORDER BY r.prediction_id LIMIT ?
                    """, arguments: [limit]).map(Self.prediction(from:))
            }
        }
    }

    /// A reviewer's label for queued prediction `id`: stored as a `review` example (trainable),
    /// the prediction's live outcome recorded if it had none, and the prediction leaves the queue.
    /// - Throws: `unknownPrediction` when `id` is not in the queue; `invalidRecord` for a bad label.
    @discardableResult
    public func review(_ id: Int64, label: Int32, now: Date = Date()) throws -> Int64 {
        try store.storage {
            try store.database.write { db in
                guard try Int64.fetchOne(db, sql: "SELECT prediction_id FROM review WHERE prediction_id = ?", arguments: [id]) != nil else {
                    throw FeedbackError(.unknownPrediction, "prediction \(id) is not in the review queue (never queued, reviewed already, or dropped)")
                }
                let example = try store.insertFeedback(FeedbackRecord(label: label, provenance: .review, predictionID: id), db: db, now: now)
                try db.execute(sql: "DELETE FROM review WHERE prediction_id = ?", arguments: [id])
                try bump("review_reviewed", by: 1, db: db)
                try store.applyRetention(db, now: now)
                return example
            }
        }
    }

    public func reviewCounts() throws -> ReviewCounts {
        try store.storage {
            try store.database.read { db in
                ReviewCounts(queued: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM review") ?? 0,
                             dropped: Int(try counter("review_dropped", db: db)), reviewed: Int(try counter("review_reviewed", db: db)))
            }
        }
    }

    /// Live accuracy of every model version that has had feedback, by version.
    public func liveAccuracy() throws -> [LiveAccuracy] {
        try store.storage {
            try store.database.read { db in
                try Row.fetchAll(db, sql: "SELECT model_version, correct, total FROM live_accuracy ORDER BY model_version").map { row in
                    LiveAccuracy(modelVersion: UInt64(row["model_version"] as Int64), correct: row["correct"], total: row["total"])
                }
            }
        }
    }

    /// Live outcomes recorded after `cursor` (at most `limit`, oldest first) and the cursor to pass next.
    public func outcomes(after cursor: Int64, limit: Int) throws -> (outcomes: [LiveOutcome], cursor: Int64) {
        try store.storage {
            try store.database.read { db in
                var next = cursor
                let outcomes = try Row.fetchAll(db, sql: "SELECT id, model_version, correct FROM outcome WHERE id > ? ORDER BY id LIMIT ?",
                                                arguments: [cursor, limit]).map { row in
                    next = row["id"]
                    return LiveOutcome(modelVersion: UInt64(row["model_version"] as Int64), correct: row["correct"])
                }
                return (outcomes, next)
            }
        }
    }

    /// The id of the newest live outcome (0: none), where a reader starts.
    public func newestOutcomeID() throws -> Int64 {
        try store.storage { try store.database.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM outcome") ?? 0 } }
    }

    static func loggedPrediction(_ id: Int64, db: Database) throws -> LoggedPrediction? {
        try Row.fetchOne(db, sql: "SELECT * FROM prediction WHERE id = ?", arguments: [id]).map(Self.prediction(from:))
    }

    /// The first outcome of a prediction: counted for its version and appended to the stream.
    static func recordOutcome(_ correct: Bool, of prediction: LoggedPrediction, db: Database) throws {
        let version = Int64(clamping: prediction.modelVersion)
        try db.execute(sql: "UPDATE prediction SET outcome = ? WHERE id = ?", arguments: [correct, prediction.id])
        try db.execute(sql: """
            INSERT INTO live_accuracy (model_version, correct, total) VALUES (?, ?, 1)
            ON CONFLICT(model_version) DO UPDATE SET correct = correct + excluded.correct, total = total + 1
            """, arguments: [version, correct ? 1 : 0])
        try db.execute(sql: "INSERT INTO outcome (model_version, correct) VALUES (?, ?)", arguments: [version, correct])
        try db.execute(sql: "DELETE FROM outcome WHERE id <= ?", arguments: [db.lastInsertedRowID - Int64(Self.outcomesKept)])
    }

    /// Ids are given in order and only the oldest are ever dropped, so the log is the id range
    /// (newest − quota, newest]; queued predictions that leave it count as dropped, and so do
    /// the oldest queued beyond the queue's bound.
    private func applyPredictionQuota(_ db: Database, newest: Int64) throws {
        let floor = newest - Int64(configuration.maxPredictions)
        try db.execute(sql: "DELETE FROM review WHERE prediction_id <= ?", arguments: [floor])
        var dropped = db.changesCount
        try db.execute(sql: "DELETE FROM prediction WHERE id <= ?", arguments: [floor])
        let queued = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM review") ?? 0
        if queued > configuration.review.maxQueue {
            try db.execute(sql: "DELETE FROM review WHERE prediction_id IN (SELECT prediction_id FROM review ORDER BY prediction_id LIMIT ?)",
                           arguments: [queued - configuration.review.maxQueue])
            dropped += db.changesCount
        }
        if dropped > 0 { try bump("review_dropped", by: dropped, db: db) }
    }

    private func bump(_ key: String, by amount: Int, db: Database) throws {
        try db.execute(sql: "INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = value + excluded.value",
                       arguments: [key, amount])
    }

    private func counter(_ key: String, db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT value FROM state WHERE key = ?", arguments: [key]) ?? 0
    }

    private static func blob(_ values: [Float]) -> Data { values.withUnsafeBytes { Data($0) } }

    private static func floats(_ data: Data) -> [Float] { data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) } }

    private static func prediction(from row: Row) -> LoggedPrediction {
        let outcome: Int64? = row["outcome"]
        return LoggedPrediction(id: row["id"], features: floats(row["features"]), predictedClass: Int32(row["class"] as Int64),
                                probabilities: floats(row["probabilities"]), modelVersion: UInt64(row["model_version"] as Int64),
                                time: Date(timeIntervalSince1970: row["predicted_at"]), outcome: outcome.map { $0 != 0 })
    }
}

extension FeedbackStore {
    /// The prediction log, the review queue and live accuracy.
    public var predictions: PredictionLog { PredictionLog(store: self) }
}
