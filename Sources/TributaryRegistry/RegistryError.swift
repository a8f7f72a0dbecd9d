/// A registry failure: an open `code`, and a reason naming the version, round, file or value.
public struct RegistryError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case versionNotFound, invalidTransition, noLiveVersion, missingBlob, corruptBlob
            case roundNotFound, roundExists, invalidRound, io, database, locked, readOnly
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No version has that number.
        public static let versionNotFound = Code(.versionNotFound)
        /// The version's status does not allow the change (promote a rejected version, …).
        public static let invalidTransition = Code(.invalidTransition)
        /// The operation needs a live version and there is none (or no earlier one to roll back to).
        public static let noLiveVersion = Code(.noLiveVersion)
        /// A version's blob file is missing.
        public static let missingBlob = Code(.missingBlob)
        /// A blob's bytes do not verify against the digest its version records.
        public static let corruptBlob = Code(.corruptBlob)
        /// The round journal has no round with that id.
        public static let roundNotFound = Code(.roundNotFound)
        /// A round with that id was already opened.
        public static let roundExists = Code(.roundExists)
        /// A round change its state does not allow (record an update while aggregating, …).
        public static let invalidRound = Code(.invalidRound)
        /// A file could not be read or written.
        public static let io = Code(.io)
        /// SQLite refused an operation.
        public static let database = Code(.database)
        /// Another process holds the registry's exclusive lock (a running coordinator).
        public static let locked = Code(.locked)
        /// The registry cannot be written (read-only mount or permissions), or was opened read-only.
        public static let readOnly = Code(.readOnly)

        public var description: String { base.rawValue }
    }

    public var code: Code
    public var reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }
}
