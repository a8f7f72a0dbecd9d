import Crypto
import Foundation
import GRDB
import TributaryLearning

/// The store as a round and the triggers read it: the bounded window of newest examples, the
/// examples that arrived after a cursor, and imports that happen once per file content.
extension FeedbackStore {
    /// A round's training data.
    public struct Window: Sendable, Equatable {
        /// The newest trainable examples (at most the limit), oldest first.
        public var data: Dataset
        /// Trainable examples trained before that are older than `data` and were not retired by
        /// an earlier round (the replay buffer takes them), oldest first.
        public var retired: Dataset
        /// The newest id in `data`: pass it to ``markTrained(through:retiredThrough:)`` once the job's state is saved.
        public var throughID: Int64
        /// The newest id retired (with this window or before): pass it along with `throughID`.
        public var retiredThrough: Int64
    }

    /// The newest `limit` trainable examples (or only those after the last training).
    public func trainingWindow(limit: Int, onlyNew: Bool) throws -> Window {
        try storage {
            try database.read { db in
                let mark = try trainedThrough(db)
                let rows = try Row.fetchAll(
                    db, sql: "SELECT id, features, label FROM example WHERE trainable = 1 AND NOT held_out(id) AND id > ? ORDER BY id DESC LIMIT ?",
                    arguments: [onlyNew ? mark : 0, limit])
                var data = Dataset(featureCount: configuration.featureCount)
                for row in rows.reversed() {
                    let (features, label) = decode(row)
                    data.append(features: features, label: label)
                }
                var retired = Dataset(featureCount: configuration.featureCount)
                var retiredThrough = try self.retiredThrough(db)
                let leaving = try Row.fetchCursor(
                    db, sql: "SELECT id, features, label FROM example WHERE trainable = 1 AND NOT held_out(id) AND id > ? AND id <= ? AND id < ? ORDER BY id",
                    arguments: [retiredThrough, mark, rows.last.map { $0["id"] as Int64 } ?? Int64.max])
                while let row = try leaving.next() {
                    let (features, label) = decode(row)
                    retired.append(features: features, label: label)
                    retiredThrough = row["id"]
                }
                return Window(data: data, retired: retired, throughID: rows.first.map { $0["id"] as Int64 } ?? mark,
                              retiredThrough: retiredThrough)
            }
        }
    }

    /// The local held-out set: the newest `limit` labelled examples the split keeps back, oldest
    /// first (empty when the split holds none back). An evaluate round measures a candidate on it.
    public func heldOutSet(limit: Int) throws -> Dataset {
        try storage {
            try database.read { db in
                var data = Dataset(featureCount: configuration.featureCount)
                guard configuration.heldOut.fraction > 0 else { return data }
                let rows = try Row.fetchAll(
                    db, sql: "SELECT id, features, label FROM example WHERE trainable = 1 AND held_out(id) ORDER BY id DESC LIMIT ?",
                    arguments: [limit])
                for row in rows.reversed() {
                    let (features, label) = decode(row)
                    data.append(features: features, label: label)
                }
                return data
            }
        }
    }

    /// Trainable examples stored after `id` (at most `limit`, oldest first) and the last id read.
    public func trainableExamples(after id: Int64, limit: Int) throws -> (data: Dataset, lastID: Int64) {
        try storage {
            try database.read { db in
                var data = Dataset(featureCount: configuration.featureCount)
                var last = id
                let rows = try Row.fetchCursor(db, sql: "SELECT id, features, label FROM example WHERE trainable = 1 AND id > ? ORDER BY id LIMIT ?",
                                               arguments: [id, limit])
                while let row = try rows.next() {
                    let (features, label) = decode(row)
                    data.append(features: features, label: label)
                    last = row["id"]
                }
                return (data, last)
            }
        }
    }

    /// The id of the newest example ever stored (0 when none).
    public func newestID() throws -> Int64 {
        try storage { try database.read { db in try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'example'") ?? 0 } }
    }

    /// Imports a labelled CSV unless a file with the same content was imported before.
    /// - Parameter maxBytes: a larger file is refused before it is read (nil: no limit).
    /// - Returns: the records stored, or nil when this content was already imported.
    /// - Throws: `FeedbackError` naming the row, column and value that does not fit.
    @discardableResult
    public func importCSVOnce(path: String, maxBytes: Int? = nil, now: Date = Date()) throws -> Int? {
        try importCSV(path: path, skipIfImported: true, maxBytes: maxBytes, now: now)
    }

    /// Streams the file twice with bounded memory: once for its SHA-256 (the import's key), then
    /// row by row into one transaction, which the first bad row rolls back.
    func importCSV(path: String, skipIfImported: Bool, maxBytes: Int?, now: Date) throws -> Int? {
        let key = "import:" + (try contentDigest(path: path, maxBytes: maxBytes))
        if skipIfImported {
            let done = try storage { try database.read { db in try Int64.fetchOne(db, sql: "SELECT value FROM state WHERE key = ?", arguments: [key]) } }
            if done != nil { return nil }
        }
        let options = CSVLoader.Options(classCount: configuration.classCount, featureCount: configuration.featureCount, maxBytes: maxBytes)
        return try storage {
            try database.write { db in
                let count = try CSVLoader.forEachRow(path: path, options: options) { features, label in
                    _ = try insertRow(FeedbackJoin.Compiled(features: features, label: label, provenance: .label, trainable: true), db: db, now: now)
                }
                try applyRetention(db, now: now)
                try db.execute(sql: "INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = value + excluded.value",
                               arguments: [key, count])
                return count
            }
        }
    }

    /// The file's SHA-256 in hex, read in 64 KiB chunks; a file over `maxBytes` is refused unread.
    private func contentDigest(path: String, maxBytes: Int?) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw FeedbackError(.invalidRecord, "\(path): cannot open the file (\(FileManager.default.fileExists(atPath: path) ? "not readable" : "no such file"))")
        }
        defer { try? handle.close() }
        do {
            let size = try handle.seekToEnd()
            if let maxBytes, size > maxBytes {
                throw FeedbackError(.invalidRecord, "\(path): the file is \(size) bytes, more than the maximum of \(maxBytes)")
            }
            try handle.seek(toOffset: 0)
            var hash = SHA256()
            while let chunk = try handle.read(upToCount: 64 << 10), !chunk.isEmpty { hash.update(data: chunk) }
            return hash.finalize().map { String(format: "%02x", $0) }.joined()
        } catch let error as FeedbackError {
            throw error
        } catch {
            throw FeedbackError(.invalidRecord, "\(path): cannot read the file (\((error as NSError).localizedDescription))")
        }
    }

    func trainedThrough(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT value FROM state WHERE key = 'trained_through'") ?? 0
    }

    /// The newest id handed to the replay buffer; a store written before retirement existed
    /// handed its examples over when first trained, so it counts as retired through its mark.
    func retiredThrough(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT value FROM state WHERE key = 'retired_through'") ?? trainedThrough(db)
    }

    private func decode(_ row: Row) -> ([Float], Int32) {
        let blob: Data = row["features"]
        return (blob.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }, Int32(row["label"] as Int64))
    }
}
