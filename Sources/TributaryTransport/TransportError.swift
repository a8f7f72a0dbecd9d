import TributarySession
import TributarySystem

/// Everything the transport reports to a person: a failed TLS handshake, a refused
/// certificate, a session that ended badly. ``code`` is an open set and includes every
/// ``SessionError/Code`` by name; ``description`` is one line naming the cause and the value.
/// Equality and hashing consider the code only.
public typealias TransportError = TributaryError<TransportErrorDomain>

/// The domain of ``TransportError``.
public enum TransportErrorDomain: ErrorDomain {

    public static func describe(code: String, reason: String) -> String { "\(reason) (code \(code))" }
}

extension TributaryError where Domain == TransportErrorDomain {
    /// The session's error, with the same code, reason and source location.
    public init(_ session: SessionError) {
        self.init(Code(session.code), session.reason, file: session.file, line: session.line)
    }
}

extension TributaryError.Code where Domain == TransportErrorDomain {
    /// The same code as a session error.
    public init(_ code: SessionError.Code) {
        self.init(code.name)
    }

    // TLS and certificates.
    /// The coordinator requires a client certificate and none was sent.
    public static var certificateRequired: Self { Self("certificateRequired") }
    /// The client certificate was not issued by the fleet CA.
    public static var untrustedCertificate: Self { Self("untrustedCertificate") }
    /// The client certificate's validity ended.
    public static var certificateExpired: Self { Self("certificateExpired") }
    /// The client certificate's validity has not started.
    public static var certificateNotYetValid: Self { Self("certificateNotYetValid") }
    /// The coordinator refused the certificate in the handshake for a reason TLS does not say.
    public static var certificateUnknown: Self { Self("certificateUnknown") }
    /// The peer offered no TLS version in common (this transport speaks TLS 1.3 only).
    public static var unsupportedTLSVersion: Self { Self("unsupportedTLSVersion") }
    /// The edge refused the coordinator's certificate (not from the fleet CA, or wrong host name).
    public static var serverCertificateRejected: Self { Self("serverCertificateRejected") }
    /// Any other TLS failure, including bytes that are not TLS at all.
    public static var tlsFailure: Self { Self("tlsFailure") }
    /// TCP connect failed or timed out.
    public static var connectFailed: Self { Self("connectFailed") }
    /// The deny list file is missing or has a bad line (the coordinator does not start).
    public static var invalidDenyList: Self { Self("invalidDenyList") }
    /// A connection was closed at accept: too many connections in all or from its address.
    public static var connectionLimit: Self { Self("connectionLimit") }
    /// A connection sent no complete TLS handshake within the handshake timeout and was closed.
    public static var tlsHandshakeTimeout: Self { Self("tlsHandshakeTimeout") }

    // Session codes (same names as SessionError.Code).
    public static var revoked: Self { Self(SessionError.Code.revoked) }
    public static var identityMismatch: Self { Self(SessionError.Code.identityMismatch) }
    public static var certificateRefused: Self { Self(SessionError.Code.certificateRefused) }
    public static var frameTooLarge: Self { Self(SessionError.Code.frameTooLarge) }
    public static var malformedFrame: Self { Self(SessionError.Code.malformedFrame) }
    public static var unknownMessage: Self { Self(SessionError.Code.unknownMessage) }
    public static var unsupportedProtocolVersion: Self { Self(SessionError.Code.unsupportedProtocolVersion) }
    public static var outOfSequence: Self { Self(SessionError.Code.outOfSequence) }
    public static var invalidMessage: Self { Self(SessionError.Code.invalidMessage) }
    public static var transferTooLarge: Self { Self(SessionError.Code.transferTooLarge) }
    public static var handshakeTimeout: Self { Self(SessionError.Code.handshakeTimeout) }
    public static var idleTimeout: Self { Self(SessionError.Code.idleTimeout) }
    public static var connectionClosed: Self { Self(SessionError.Code.connectionClosed) }
    public static var notReady: Self { Self(SessionError.Code.notReady) }
}
