import Foundation
import GRDB

extension ModelVersion {
    init(row: Row) throws {
        let number = try StoredNumber.read(row, "number", of: "a version row")
        let owner = "version \(number)"
        let participantsJSON: String = row["participants"]
        let metricsJSON: String = row["metrics"]
        let statusText: String = row["status"]
        guard let status = VersionStatus(rawValue: statusText) else {
            throw RegistryError(.database, "version \(number): unknown status '\(statusText)'")
        }
        self.init(
            number: number, digest: row["digest"], parent: try StoredNumber.readOptional(row, "parent", of: owner),
            roundID: try StoredNumber.readOptional(row, "round_id", of: owner),
            participants: try JSONDecoder().decode([String].self, from: Data(participantsJSON.utf8)),
            metrics: try JSONDecoder().decode([String: Double].self, from: Data(metricsJSON.utf8)),
            status: status, isLive: row["live"], createdAt: Date(timeIntervalSince1970: row["created_at"]),
            note: row["note"], statusReason: row["status_reason"], byteCount: row["byte_count"])
    }

    static func fetch(_ db: Database, number: UInt64) throws -> ModelVersion {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM versions WHERE number = ?", arguments: [try column(number)]) else {
            throw RegistryError(.versionNotFound, "version \(number) does not exist")
        }
        return try ModelVersion(row: row)
    }
}

enum JSONText {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
