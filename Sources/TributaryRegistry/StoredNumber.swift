import GRDB

/// Version numbers and round ids are `UInt64` in the registry's API, as in rounds and on the wire;
/// SQLite's INTEGER is an `Int64`. These are the only crossings, each checked and named.
enum StoredNumber {
    /// `value` as SQLite stores it, or `error` when it is over `Int64.max` (no such row can exist).
    static func column(_ value: UInt64, orThrow error: @autoclosure () -> RegistryError) throws -> Int64 {
        guard let stored = Int64(exactly: value) else { throw error() }
        return stored
    }

    /// The `UInt64` in `row[column]`; a negative value is a damaged database, named with its row.
    static func read(_ row: Row, _ column: String, of owner: String) throws -> UInt64 {
        let stored: Int64 = row[column]
        return try value(stored, column, of: owner)
    }

    /// As `read`, for a column that may be NULL.
    static func readOptional(_ row: Row, _ column: String, of owner: String) throws -> UInt64? {
        let stored: Int64? = row[column]
        return try stored.map { try value($0, column, of: owner) }
    }

    /// `stored` (a value SQLite returned for `column` of `owner`) as a `UInt64`.
    static func value(_ stored: Int64, _ column: String, of owner: String) throws -> UInt64 {
        guard let value = UInt64(exactly: stored) else {
            throw RegistryError(.database, "\(owner): \(column) is \(stored) in the database, must be ≥ 0")
        }
        return value
    }

    /// The largest number SQLite stores, quoted by errors.
    static let largest = UInt64(Int64.max)
}

extension ModelVersion {
    /// `number` as stored; over `Int64.max` it names no version.
    static func column(_ number: UInt64) throws -> Int64 {
        try StoredNumber.column(
            number, orThrow: RegistryError(.versionNotFound, "version \(number) does not exist (versions are numbered up to \(StoredNumber.largest))"))
    }
}

extension RoundRecord {
    /// `id` as stored; over `Int64.max` it names no round.
    static func column(_ id: UInt64) throws -> Int64 {
        try StoredNumber.column(
            id, orThrow: RegistryError(.roundNotFound, "round \(id) is not in the journal (round ids go up to \(StoredNumber.largest))"))
    }
}
