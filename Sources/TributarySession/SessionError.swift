import TributarySystem
import TributaryWire

/// Why a session ended or refused a request, in words a person can act on.
///
/// ``code`` is an open set (new codes can be added without breaking callers). ``origin`` says
/// which side decided: `.peer` when the other side sent Reject or Error, `.local` when this side
/// refused something. ``description`` reads like
/// `coordinator rejected this client: client edge-7 is revoked (code revoked)`.
/// Equality and hashing consider the code and origin only, so tests can compare outcomes.
public typealias SessionError = TributaryError<SessionErrorDomain>

/// The domain of ``SessionError``.
public enum SessionErrorDomain: ErrorDomain {
    public typealias Detail = Origin

    /// Which side decided.
    public enum Origin: Sendable, Hashable { case local, peer }

    public static func describe(code: String, reason: String) -> String { "\(reason) (code \(code))" }
}

extension TributaryError where Domain == SessionErrorDomain {
    public typealias Origin = SessionErrorDomain.Origin

    public init(_ code: Code, _ reason: String, origin: Origin = .local, file: String = #fileID, line: Int = #line) {
        self.init(code, reason, detail: origin, file: file, line: line)
    }

    /// Which side decided.
    public var origin: Origin {
        get { detail }
        set { detail = newValue }
    }
}

extension TributaryError.Code where Domain == SessionErrorDomain {
    // Reject codes (coordinator → edge, before the session opens).
    public static var revoked: Self { Self("revoked") }
    public static var identityMismatch: Self { Self("identityMismatch") }
    public static var certificateRefused: Self { Self("certificateRefused") }
    public static var unknownClient: Self { Self("unknownClient") }
    public static var noCommonCodec: Self { Self("noCommonCodec") }
    public static var overloaded: Self { Self("overloaded") }
    public static var shuttingDown: Self { Self("shuttingDown") }
    /// A Reject whose code this build does not know.
    public static var rejected: Self { Self("rejected") }
    // Error-frame codes (either direction).
    public static var frameTooLarge: Self { Self("frameTooLarge") }
    public static var malformedFrame: Self { Self("malformedFrame") }
    public static var unknownMessage: Self { Self("unknownMessage") }
    public static var unsupportedProtocolVersion: Self { Self("unsupportedProtocolVersion") }
    public static var outOfSequence: Self { Self("outOfSequence") }
    public static var invalidMessage: Self { Self("invalidMessage") }
    public static var transferTooLarge: Self { Self("transferTooLarge") }
    public static var peerInternal: Self { Self("internal") }
    // Deadlines and endings.
    public static var handshakeTimeout: Self { Self("handshakeTimeout") }
    public static var idleTimeout: Self { Self("idleTimeout") }
    /// The peer said Goodbye with a reason other than DONE.
    public static var goodbye: Self { Self("goodbye") }
    /// The connection closed without Goodbye.
    public static var connectionClosed: Self { Self("connectionClosed") }
    /// The application asked for something the session state does not allow.
    public static var notReady: Self { Self("notReady") }

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
