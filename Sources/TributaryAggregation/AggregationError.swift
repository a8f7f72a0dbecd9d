/// Why an update was refused or a round could not be aggregated: an open `code`, and a reason
/// that names the client, the field and the value that was wrong.
public struct AggregationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An open set of error codes.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case staleRound, baseVersionMismatch, layoutMismatch, shapeMismatch, nonPositiveExamples
            case nonFiniteDelta, nonFiniteFisher, negativeFisher, missingFisher, normTooLarge
            case duplicateClient, noUpdates, invalidConfiguration, stateMismatch, tooManyExamples, nonFiniteMetric
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The update names a round other than the one being collected.
        public static let staleRound = Code(.staleRound)
        /// The update was trained from a model version other than the round's base.
        public static let baseVersionMismatch = Code(.baseVersionMismatch)
        /// The update's parameter layout (names, shapes, offsets) differs from the model's.
        public static let layoutMismatch = Code(.layoutMismatch)
        /// The delta or Fisher buffer holds the wrong number of values.
        public static let shapeMismatch = Code(.shapeMismatch)
        /// The example count n is zero or negative.
        public static let nonPositiveExamples = Code(.nonPositiveExamples)
        /// The example count n is above the policy's bound.
        public static let tooManyExamples = Code(.tooManyExamples)
        /// A reported metric (accuracy, loss) is NaN or ±∞.
        public static let nonFiniteMetric = Code(.nonFiniteMetric)
        /// The delta holds NaN or ±∞.
        public static let nonFiniteDelta = Code(.nonFiniteDelta)
        /// The Fisher diagonal holds NaN or ±∞.
        public static let nonFiniteFisher = Code(.nonFiniteFisher)
        /// The Fisher diagonal holds a negative value.
        public static let negativeFisher = Code(.negativeFisher)
        /// The rule needs a Fisher diagonal and the update has none.
        public static let missingFisher = Code(.missingFisher)
        /// ‖Δ‖₂ exceeds the configured bound.
        public static let normTooLarge = Code(.normTooLarge)
        /// The client already has an accepted update in this round.
        public static let duplicateClient = Code(.duplicateClient)
        /// The round has no accepted update to aggregate.
        public static let noUpdates = Code(.noUpdates)
        /// A configuration value out of range.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// Global parameters or server-optimizer state that do not fit the model.
        public static let stateMismatch = Code(.stateMismatch)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// A human reason naming the client, the field and the value.
    public var reason: String
    /// The client whose update was refused, when there is one.
    public var clientID: String?

    public init(_ code: Code, _ reason: String, clientID: String? = nil) {
        self.code = code
        self.reason = reason
        self.clientID = clientID
    }

    public var description: String { "\(code): \(reason)" }
}
