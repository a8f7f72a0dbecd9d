/// A refused feedback record or a store failure: an open code and a reason naming the value.
public struct FeedbackError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable { case invalidRecord, invalidConfiguration, storage }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A record with the wrong feature count, a non-finite value, an unknown label…
        public static let invalidRecord = Code(.invalidRecord)
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The database could not be read or written.
        public static let storage = Code(.storage)

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
