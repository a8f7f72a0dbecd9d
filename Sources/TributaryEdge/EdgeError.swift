/// An edge agent problem: an open code and a reason naming the value.
public struct EdgeError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable { case invalidConfiguration, fatalRefusal, state }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A configuration value does not fit.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The coordinator refused this edge for good (revoked or refused certificate…): retrying cannot help.
        public static let fatalRefusal = Code(.fatalRefusal)
        /// The edge's own state (checkpoint, store) cannot be read or written.
        public static let state = Code(.state)

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
