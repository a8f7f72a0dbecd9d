import TributarySession

/// Everything the transport reports to a person: a failed TLS handshake, a refused
/// certificate, a session that ended badly. ``code`` is an open set and includes every
/// ``SessionError/Code`` by name; ``description`` is one line naming the cause and the value.
public struct TransportError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let name: String
        private init(name: String) { self.name = name }
        public var description: String { name }

        /// The same code as a session error.
        public init(_ code: SessionError.Code) { self.name = code.name }

        // TLS and certificates.
        /// The coordinator requires a client certificate and none was sent.
        public static let certificateRequired = Code(name: "certificateRequired")
        /// The client certificate was not issued by the fleet CA.
        public static let untrustedCertificate = Code(name: "untrustedCertificate")
        /// The client certificate's validity ended.
        public static let certificateExpired = Code(name: "certificateExpired")
        /// The client certificate's validity has not started.
        public static let certificateNotYetValid = Code(name: "certificateNotYetValid")
        /// The coordinator refused the certificate in the handshake for a reason TLS does not say.
        public static let certificateUnknown = Code(name: "certificateUnknown")
        /// The peer offered no TLS version in common (this transport speaks TLS 1.3 only).
        public static let unsupportedTLSVersion = Code(name: "unsupportedTLSVersion")
        /// The edge refused the coordinator's certificate (not from the fleet CA, or wrong host name).
        public static let serverCertificateRejected = Code(name: "serverCertificateRejected")
        /// Any other TLS failure, including bytes that are not TLS at all.
        public static let tlsFailure = Code(name: "tlsFailure")
        /// TCP connect failed or timed out.
        public static let connectFailed = Code(name: "connectFailed")
        /// A configuration value is invalid.
        public static let invalidConfiguration = Code(name: "invalidConfiguration")
        /// The deny list file is missing or has a bad line (the coordinator does not start).
        public static let invalidDenyList = Code(name: "invalidDenyList")
        /// A connection was closed at accept: too many connections in all or from its address.
        public static let connectionLimit = Code(name: "connectionLimit")
        /// A connection sent no complete TLS handshake within the handshake timeout and was closed.
        public static let tlsHandshakeTimeout = Code(name: "tlsHandshakeTimeout")

        // Session codes (same names as SessionError.Code).
        public static let revoked = Code(.revoked)
        public static let identityMismatch = Code(.identityMismatch)
        public static let certificateRefused = Code(.certificateRefused)
        public static let frameTooLarge = Code(.frameTooLarge)
        public static let malformedFrame = Code(.malformedFrame)
        public static let unknownMessage = Code(.unknownMessage)
        public static let unsupportedProtocolVersion = Code(.unsupportedProtocolVersion)
        public static let outOfSequence = Code(.outOfSequence)
        public static let invalidMessage = Code(.invalidMessage)
        public static let transferTooLarge = Code(.transferTooLarge)
        public static let handshakeTimeout = Code(.handshakeTimeout)
        public static let idleTimeout = Code(.idleTimeout)
        public static let connectionClosed = Code(.connectionClosed)
        public static let notReady = Code(.notReady)
    }

    public var code: Code
    public var reason: String
    /// The session error this came from, if any.
    public var session: SessionError?
    public var file: String
    public var line: Int

    public init(_ code: Code, _ reason: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.reason = reason
        self.session = nil
        self.file = file
        self.line = line
    }

    public init(_ session: SessionError) {
        self.code = Code(session.code)
        self.reason = session.reason
        self.session = session
        self.file = session.file
        self.line = session.line
    }

    public var description: String { "\(reason) (code \(code))" }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
