/// A coordinator failure, with an open code and a reason naming the thing and its value.
public struct CoordinatorError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case invalidConfiguration, startup, notRunning, roundRefused, badRequest
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A configuration value is out of range or inconsistent.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The coordinator could not start (registry, initial checkpoint, certificates, socket).
        public static let startup = Code(.startup)
        /// The call needs a running coordinator.
        public static let notRunning = Code(.notRunning)
        /// The round logic refused an operator's start (one is running, too few clients).
        public static let roundRefused = Code(.roundRefused)
        /// An admin request was malformed.
        public static let badRequest = Code(.badRequest)

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
