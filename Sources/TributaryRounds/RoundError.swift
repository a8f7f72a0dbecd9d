/// An error or refusal from the round logic, with an open code and a reason naming the value.
public struct RoundError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case invalidConfiguration, lateUpdate, unknownRound, notSelected, duplicateUpdate, wrongBaseVersion
            case roundInProgress, notEnoughClients, emptyUpdate, resendDiffers
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The update's round has closed or been abandoned.
        public static let lateUpdate = Code(.lateUpdate)
        /// The update names a round this coordinator never ran.
        public static let unknownRound = Code(.unknownRound)
        /// The client was not offered this round.
        public static let notSelected = Code(.notSelected)
        /// The client already sent an update for this round.
        public static let duplicateUpdate = Code(.duplicateUpdate)
        /// The update was trained from another model version than the round's.
        public static let wrongBaseVersion = Code(.wrongBaseVersion)
        /// A start was requested while a round runs.
        public static let roundInProgress = Code(.roundInProgress)
        /// A start was requested with fewer eligible clients than the quorum.
        public static let notEnoughClients = Code(.notEnoughClients)
        /// The update claims no examples.
        public static let emptyUpdate = Code(.emptyUpdate)
        /// After a restart, a client resent an update for a resumed round that is not the one
        /// the journal holds for it (another digest or example count).
        public static let resendDiffers = Code(.resendDiffers)

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
