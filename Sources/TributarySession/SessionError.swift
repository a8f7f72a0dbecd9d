import TributaryWire

/// Why a session ended or refused a request, in words a person can act on.
///
/// ``code`` is an open set (new codes can be added without breaking callers). ``origin`` says
/// which side decided: `.peer` when the other side sent Reject or Error, `.local` when this side
/// refused something. ``description`` reads like
/// `coordinator rejected this client: client edge-7 is revoked (code revoked)`.
public struct SessionError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        // Reject codes (coordinator → edge, before the session opens).
        public static let revoked = Code("revoked")
        public static let identityMismatch = Code("identityMismatch")
        public static let certificateRefused = Code("certificateRefused")
        public static let unknownClient = Code("unknownClient")
        public static let noCommonCodec = Code("noCommonCodec")
        public static let overloaded = Code("overloaded")
        public static let shuttingDown = Code("shuttingDown")
        /// A Reject whose code this build does not know.
        public static let rejected = Code("rejected")
        // Error-frame codes (either direction).
        public static let frameTooLarge = Code("frameTooLarge")
        public static let malformedFrame = Code("malformedFrame")
        public static let unknownMessage = Code("unknownMessage")
        public static let unsupportedProtocolVersion = Code("unsupportedProtocolVersion")
        public static let outOfSequence = Code("outOfSequence")
        public static let invalidMessage = Code("invalidMessage")
        public static let transferTooLarge = Code("transferTooLarge")
        public static let peerInternal = Code("internal")
        // Deadlines and endings.
        public static let handshakeTimeout = Code("handshakeTimeout")
        public static let idleTimeout = Code("idleTimeout")
        /// The peer said Goodbye with a reason other than DONE.
        public static let goodbye = Code("goodbye")
        /// The connection closed without Goodbye.
        public static let connectionClosed = Code("connectionClosed")
        /// The application asked for something the session state does not allow.
        public static let notReady = Code("notReady")
        public static let invalidConfiguration = Code("invalidConfiguration")

        /// The session code for a Reject code.
        public init(_ code: Reject.Code) {
            switch code {
            case .revoked: self = .revoked
            case .identityMismatch: self = .identityMismatch
            case .certificateRefused: self = .certificateRefused
            case .unknownClient: self = .unknownClient
            case .noCommonCodec: self = .noCommonCodec
            case .overloaded: self = .overloaded
            case .shuttingDown: self = .shuttingDown
            case .unsupportedProtocolVersion: self = .unsupportedProtocolVersion
            default: self = .rejected
            }
        }

        /// The session code for an Error-frame code.
        public init(_ code: ErrorMessage.Code) {
            switch code {
            case .frameTooLarge: self = .frameTooLarge
            case .malformedFrame: self = .malformedFrame
            case .unknownMessage: self = .unknownMessage
            case .unsupportedProtocolVersion: self = .unsupportedProtocolVersion
            case .outOfSequence: self = .outOfSequence
            case .invalidMessage: self = .invalidMessage
            case .transferTooLarge: self = .transferTooLarge
            default: self = .peerInternal
            }
        }
    }

    /// Which side decided.
    public enum Origin: Sendable, Hashable { case local, peer }

    public var code: Code
    public var origin: Origin
    /// A human reason naming the value at fault.
    public var reason: String
    public var file: String
    public var line: Int

    public init(_ code: Code, _ reason: String, origin: Origin = .local, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.origin = origin
        self.reason = reason
        self.file = file
        self.line = line
    }

    public var description: String { "\(reason) (code \(code))" }

    /// Equality and hashing consider the code and origin only, so tests can compare outcomes.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code && lhs.origin == rhs.origin }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(origin)
    }
}
