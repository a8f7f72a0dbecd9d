/// An error from the learning layer: what went wrong (`code`), and a reason that names the
/// thing that was wrong and the value it had.
public struct LearningError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An open set of error codes.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case invalidModelSpec, invalidConfiguration, shapeMismatch, invalidData, emptyData
            case corruptCheckpoint, unsupportedCheckpointVersion, io, nonFinite
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A model spec that cannot be built (bad sizes, unknown activation, loss mismatch).
        public static let invalidModelSpec = Code(.invalidModelSpec)
        /// A training, optimizer, EWC or replay setting out of range.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// Data or state whose shape does not match the model.
        public static let shapeMismatch = Code(.shapeMismatch)
        /// A data file or record that cannot be read (names row, column and value).
        public static let invalidData = Code(.invalidData)
        /// A data set with no examples.
        public static let emptyData = Code(.emptyData)
        /// A checkpoint whose bytes are damaged: bad magic, checksum mismatch, truncated.
        public static let corruptCheckpoint = Code(.corruptCheckpoint)
        /// A checkpoint written by a newer format version.
        public static let unsupportedCheckpointVersion = Code(.unsupportedCheckpointVersion)
        /// A file could not be read or written.
        public static let io = Code(.io)
        /// Training produced NaN or infinite values.
        public static let nonFinite = Code(.nonFinite)

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
