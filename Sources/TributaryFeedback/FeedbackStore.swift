import Foundation
import GRDB
import TributaryLearning

/// The edge's local store of labelled examples, in SQLite (WAL). Each accepted record is one
/// committed transaction, so nothing stored is lost when the agent is killed.
///
/// The bounded temporal context: the store keeps at most `maxExamples` (a sliding window, oldest
/// dropped first) and drops examples older than `maxAge`; the replay buffer in the checkpoint keeps
/// a reservoir of the past beyond that.
public final class FeedbackStore: Sendable {
    public struct Configuration: Sendable, Equatable {
        public var featureCount: Int
        public var classCount: Int
        /// Sliding window: the most examples kept (nil: unbounded).
        public var maxExamples: Int?
        /// Examples older than this are dropped (nil: kept).
        public var maxAge: Duration?
        /// The prediction log's own quota: the newest served predictions kept, oldest dropped
        /// first. Logging never evicts an example.
        public var maxPredictions: Int
        /// The training weight of a confirmed prediction (0: a confirmation does not train).
        public var confirmWeight: Double
        /// Which predictions enter the review queue, and its bound.
        public var review: ReviewPolicy
        /// The examples kept back as the local held-out set (never in a training window).
        public var heldOut: HeldOutSplit

        public init(featureCount: Int, classCount: Int, maxExamples: Int? = 100_000, maxAge: Duration? = nil,
                    maxPredictions: Int = 10_000, confirmWeight: Double = 0.5, review: ReviewPolicy = ReviewPolicy(),
                    heldOut: HeldOutSplit = .none) {
            self.heldOut = heldOut
            self.featureCount = featureCount
            self.classCount = classCount
            self.maxExamples = maxExamples
            self.maxAge = maxAge
            self.maxPredictions = maxPredictions
            self.confirmWeight = confirmWeight
            self.review = review
        }
    }

    public struct Counts: Sendable, Equatable, Codable {
        public var stored: Int
        public var trainable: Int
        /// Trainable examples that arrived after the last training.
        public var newSinceTraining: Int
    }

    public let configuration: Configuration
    let database: DatabasePool

    public init(path: String, configuration: Configuration) throws {
        guard configuration.featureCount > 0, configuration.classCount > 0 else {
            throw FeedbackError(.invalidConfiguration, "feedback store: featureCount \(configuration.featureCount) and classCount \(configuration.classCount) must be positive")
        }
        if let max = configuration.maxExamples, max <= 0 {
            throw FeedbackError(.invalidConfiguration, "feedback store: maxExamples must be positive, got \(max)")
        }
        guard configuration.maxPredictions > 0 else {
            throw FeedbackError(.invalidConfiguration, "feedback store: maxPredictions must be positive, got \(configuration.maxPredictions)")
        }
        guard configuration.review.maxQueue > 0 else {
            throw FeedbackError(.invalidConfiguration, "feedback store: review.maxQueue must be positive, got \(configuration.review.maxQueue)")
        }
        guard configuration.confirmWeight >= 0, configuration.confirmWeight.isFinite else {
            throw FeedbackError(.invalidConfiguration, "feedback store: confirmWeight must be a finite number >= 0, got \(configuration.confirmWeight)")
        }
        self.configuration = configuration
        do {
            var options = GRDB.Configuration()
            let heldOut = configuration.heldOut.sqlFunction
            options.prepareDatabase { db in db.add(function: heldOut) }
            database = try DatabasePool(path: path, configuration: options)
            var migrator = DatabaseMigrator()
            migrator.registerMigration("v1") { db in
                try db.execute(sql: """
                    CREATE TABLE example (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        features BLOB NOT NULL,
                        label INTEGER NOT NULL,
                        provenance TEXT NOT NULL,
                        model_version INTEGER,
                        rating REAL,
                        trainable INTEGER NOT NULL,
                        received_at REAL NOT NULL
                    );
                    CREATE TABLE state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
                    """)
            }
            PredictionLog.registerMigration(&migrator)
            try migrator.migrate(database)
        } catch {
            throw FeedbackError(.storage, "feedback store \(path): \(error)")
        }
    }

    /// Validates and stores one record; returns its id. A refused record changes nothing.
    @discardableResult
    public func insert(_ record: FeedbackRecord, now: Date = Date()) throws -> Int64 {
        try insert([record], now: now).first!
    }

    /// Compiles every record through ``FeedbackJoin`` (a record may reference a logged
    /// prediction) and stores them all in one transaction (all or none); a refusal in a batch
    /// names the record's index.
    @discardableResult
    public func insert(_ records: [FeedbackRecord], now: Date = Date()) throws -> [Int64] {
        try storage {
            try database.write { db in
                var ids: [Int64] = []
                for (index, record) in records.enumerated() {
                    do {
                        ids.append(try insertFeedback(record, db: db, now: now))
                    } catch let error as FeedbackError where records.count > 1 {
                        throw FeedbackError(error.code, "record \(index): \(error.reason)")
                    }
                }
                try applyRetention(db, now: now)
                return ids
            }
        }
    }

    /// Compiles one record against the prediction it references and stores it; the first
    /// feedback on a prediction records its live outcome.
    func insertFeedback(_ record: FeedbackRecord, db: Database, now: Date) throws -> Int64 {
        let logged = try record.predictionID.flatMap { try PredictionLog.loggedPrediction($0, db: db) }
        let compiled = try FeedbackJoin.compile(record, prediction: logged, featureCount: configuration.featureCount,
                                                classCount: configuration.classCount, confirmWeight: configuration.confirmWeight)
        if let logged, logged.outcome == nil, let outcome = compiled.outcome {
            try PredictionLog.recordOutcome(outcome, of: logged, db: db)
        }
        return try insertRow(compiled, db: db, now: now)
    }

    /// Stores one compiled example, without applying the retention window; returns its id.
    func insertRow(_ example: FeedbackJoin.Compiled, db: Database, now: Date) throws -> Int64 {
        try db.execute(
            sql: """
                INSERT INTO example (features, label, provenance, model_version, rating, trainable, received_at, weight, prediction_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                example.features.withUnsafeBytes { Data($0) }, Int64(example.label), example.provenance.rawValue,
                example.modelVersion.map { Int64($0) }, example.rating, example.trainable, now.timeIntervalSince1970,
                example.weight, example.predictionID,
            ])
        return db.lastInsertedRowID
    }

    /// Imports a labelled CSV (provenance `label`) in one transaction (all rows or none); errors
    /// name the row, the column and the value. Importing the same content again adds it again.
    /// A file over `maxBytes` is refused before it is read (nil: no limit); the file is streamed,
    /// so memory stays bounded whatever its size.
    @discardableResult
    public func importCSV(path: String, maxBytes: Int? = nil, now: Date = Date()) throws -> Int {
        try importCSV(path: path, skipIfImported: false, maxBytes: maxBytes, now: now) ?? 0
    }

    public func counts() throws -> Counts {
        try storage {
            try database.read { db in
                let stored = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM example") ?? 0
                let trainable = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM example WHERE trainable = 1") ?? 0
                let mark = try Int64.fetchOne(db, sql: "SELECT value FROM state WHERE key = 'trained_through'") ?? 0
                let new = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM example WHERE trainable = 1 AND id > ?", arguments: [mark]) ?? 0
                return Counts(stored: stored, trainable: trainable, newSinceTraining: new)
            }
        }
    }

    /// The trainable examples (all, or only those after the last training), with the id of the
    /// newest one, to pass to `markTrained(through:)` once the job's checkpoint is saved.
    public func trainingData(onlyNew: Bool) throws -> (data: Dataset, throughID: Int64) {
        try storage {
            try database.read { db in
                let mark = onlyNew ? (try Int64.fetchOne(db, sql: "SELECT value FROM state WHERE key = 'trained_through'") ?? 0) : 0
                var data = Dataset(featureCount: configuration.featureCount)
                var last: Int64 = mark
                let rows = try Row.fetchCursor(db, sql: "SELECT id, features, label FROM example WHERE trainable = 1 AND NOT held_out(id) AND id > ? ORDER BY id",
                                                arguments: [mark])
                while let row = try rows.next() {
                    let blob: Data = row["features"]
                    let features = blob.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
                    data.append(features: features, label: Int32(row["label"] as Int64))
                    last = row["id"]
                }
                return (data, last)
            }
        }
    }

    /// Records that examples up to `id` have been trained on, and (when given) that those up to
    /// `retiredThrough` are in the replay buffer.
    public func markTrained(through id: Int64, retiredThrough: Int64? = nil) throws {
        try storage {
            try database.write { db in
                try db.execute(sql: "INSERT INTO state (key, value) VALUES ('trained_through', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", arguments: [id])
                if let retiredThrough {
                    try db.execute(sql: "INSERT INTO state (key, value) VALUES ('retired_through', ?) ON CONFLICT(key) DO UPDATE SET value = max(value, excluded.value)",
                                   arguments: [retiredThrough])
                }
            }
        }
    }

    func applyRetention(_ db: Database, now: Date) throws {
        if let maxAge = configuration.maxAge {
            let seconds = Double(maxAge.components.seconds) + Double(maxAge.components.attoseconds) / 1e18
            try db.execute(sql: "DELETE FROM example WHERE received_at < ?", arguments: [now.timeIntervalSince1970 - seconds])
        }
        if let maxExamples = configuration.maxExamples {
            try db.execute(sql: "DELETE FROM example WHERE id NOT IN (SELECT id FROM example ORDER BY id DESC LIMIT ?)", arguments: [maxExamples])
        }
    }

    func storage<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as FeedbackError {
            throw error
        } catch let error as LearningError {
            throw FeedbackError(.invalidRecord, error.reason)
        } catch {
            throw FeedbackError(.storage, "feedback store: \(error)")
        }
    }
}
