/// An error thrown by the fleet certificate tooling.
///
/// Check ``code`` to react to a specific failure; ``description`` is one line for a person:
/// it names the file or value that was wrong and why. Like `CertificateError` in
/// swift-certificates, equality only considers the ``code``, so tests can compare against
/// `FleetCertificateError.Code` values directly.
public struct FleetCertificateError: Error, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What went wrong. An open set: new codes can be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: String, Hashable, Sendable {
            case fileMissing
            case fileExists
            case fileUnreadable
            case fileWriteFailed
            case notPEM
            case keyMismatch
            case expired
            case notYetValid
            case notCertificateAuthority
            case untrustedIssuer
            case wrongExtendedKeyUsage
            case invalidClientID
            case invalidHostname
            case invalidIPAddress
            case invalidConfiguration
            case invalidDenyListLine
            case missingIdentity
            case identityMismatch
            case revoked
        }

        private let backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        /// A file that should exist does not.
        public static let fileMissing = Code(.fileMissing)
        /// A file would be overwritten and overwriting was not asked for.
        public static let fileExists = Code(.fileExists)
        /// A file exists but could not be read.
        public static let fileUnreadable = Code(.fileUnreadable)
        /// Writing, syncing or renaming a file failed.
        public static let fileWriteFailed = Code(.fileWriteFailed)
        /// A file is not a PEM document of the expected kind, or its content does not parse.
        public static let notPEM = Code(.notPEM)
        /// The private key does not belong to the certificate's public key.
        public static let keyMismatch = Code(.keyMismatch)
        /// A certificate's validity ended before the validation time.
        public static let expired = Code(.expired)
        /// A certificate's validity starts after the validation time.
        public static let notYetValid = Code(.notYetValid)
        /// A certificate used as a trust root or issuer is not a CA.
        public static let notCertificateAuthority = Code(.notCertificateAuthority)
        /// A certificate does not chain to the fleet CA.
        public static let untrustedIssuer = Code(.untrustedIssuer)
        /// A certificate lacks the extended key usage its role needs.
        public static let wrongExtendedKeyUsage = Code(.wrongExtendedKeyUsage)
        /// A client (device) id breaks the identity rule.
        public static let invalidClientID = Code(.invalidClientID)
        /// A server host name is not a valid DNS name.
        public static let invalidHostname = Code(.invalidHostname)
        /// An IP address does not parse.
        public static let invalidIPAddress = Code(.invalidIPAddress)
        /// A configuration value (validity days, CA name) is out of range.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// A line of the deny-list file does not parse.
        public static let invalidDenyListLine = Code(.invalidDenyListLine)
        /// A peer certificate carries no client identity.
        public static let missingIdentity = Code(.missingIdentity)
        /// A peer certificate carries conflicting identities.
        public static let identityMismatch = Code(.identityMismatch)
        /// A client id or certificate serial is on the deny list.
        public static let revoked = Code(.revoked)

        public var description: String { self.backing.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// A human reason naming the file or value at fault.
    public var reason: String
    /// Where in the source the error was raised.
    public var file: String
    public var line: UInt

    public init(_ code: Code, reason: String, file: String = #fileID, line: UInt = #line) {
        self.code = code
        self.reason = reason
        self.file = file
        self.line = line
    }

    /// One line for a person: the code and the reason.
    public var description: String { "\(self.reason) (\(self.code))" }

    /// The description plus the source location that raised it.
    public var debugDescription: String { "FleetCertificateError.\(self.code): \(self.reason) \(self.file):\(self.line)" }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(self.code) }
}
