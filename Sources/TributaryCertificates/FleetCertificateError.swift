import TributarySystem

/// An error thrown by the fleet certificate tooling.
///
/// Check ``code`` to react to a specific failure; ``description`` is one line for a person:
/// it names the file or value that was wrong and why. Like `CertificateError` in
/// swift-certificates, equality only considers the ``code``, so tests can compare against
/// `FleetCertificateError.Code` values directly.
public typealias FleetCertificateError = TributaryError<FleetCertificateErrorDomain>

/// The domain of ``FleetCertificateError``.
public enum FleetCertificateErrorDomain: ErrorDomain {

    public static func describe(code: String, reason: String) -> String { "\(reason) (\(code))" }
}

extension TributaryError.Code where Domain == FleetCertificateErrorDomain {
    /// A file that should exist does not.
    public static var fileMissing: Self { Self("fileMissing") }
    /// A file would be overwritten and overwriting was not asked for.
    public static var fileExists: Self { Self("fileExists") }
    /// A file exists but could not be read.
    public static var fileUnreadable: Self { Self("fileUnreadable") }
    /// Writing, syncing or renaming a file failed.
    public static var fileWriteFailed: Self { Self("fileWriteFailed") }
    /// A file is not a PEM document of the expected kind, or its content does not parse.
    public static var notPEM: Self { Self("notPEM") }
    /// The private key does not belong to the certificate's public key.
    public static var keyMismatch: Self { Self("keyMismatch") }
    /// A certificate's validity ended before the validation time.
    public static var expired: Self { Self("expired") }
    /// A certificate's validity starts after the validation time.
    public static var notYetValid: Self { Self("notYetValid") }
    /// A certificate used as a trust root or issuer is not a CA.
    public static var notCertificateAuthority: Self { Self("notCertificateAuthority") }
    /// A certificate does not chain to the fleet CA.
    public static var untrustedIssuer: Self { Self("untrustedIssuer") }
    /// A certificate lacks the extended key usage its role needs.
    public static var wrongExtendedKeyUsage: Self { Self("wrongExtendedKeyUsage") }
    /// A client (device) id breaks the identity rule.
    public static var invalidClientID: Self { Self("invalidClientID") }
    /// A server host name is not a valid DNS name.
    public static var invalidHostname: Self { Self("invalidHostname") }
    /// An IP address does not parse.
    public static var invalidIPAddress: Self { Self("invalidIPAddress") }
    /// A line of the deny-list file does not parse.
    public static var invalidDenyListLine: Self { Self("invalidDenyListLine") }
    /// A peer certificate carries no client identity.
    public static var missingIdentity: Self { Self("missingIdentity") }
    /// A peer certificate carries conflicting identities.
    public static var identityMismatch: Self { Self("identityMismatch") }
    /// A client id or certificate serial is on the deny list.
    public static var revoked: Self { Self("revoked") }
}

extension TributaryError where Domain == FleetCertificateErrorDomain {
    public init(_ code: Code, reason: String, file: String = #fileID, line: Int = #line) {
        self.init(code, reason, detail: NoErrorDetail(), file: file, line: line)
    }
}
