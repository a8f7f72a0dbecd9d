/// A file-system failure: which file, which operation, and the system's reason.
public struct FileError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable { case missing, exists, io }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The file is not there.
        public static let missing = Code(.missing)
        /// The file is already there and overwriting was not allowed.
        public static let exists = Code(.exists)
        /// Any other failure to read or write.
        public static let io = Code(.io)

        public var description: String { base.rawValue }
    }

    public var code: Code
    public var path: String
    /// A human reason that names the path.
    public var reason: String

    public init(_ code: Code, path: String, reason: String) {
        self.code = code
        self.path = path
        self.reason = reason
    }

    public var description: String { reason }
}
