/// A device (edge agent) identity as it appears in a client certificate.
///
/// ## The identity rule
/// A client certificate issued by the fleet CA names its device twice: the subject common
/// name is the id, and the subject alternative names hold exactly one URI
/// `tributary://client/<id>`. The coordinator takes the identity from the certificate, never
/// from anything the client says over the wire: the SAN URI decides, and the common name, when
/// present, must agree with it (see ``PeerIdentity``).
///
/// An id is 1 to 64 characters from `A-Z a-z 0-9 . _ -`, and is not `.` or `..`. This keeps it
/// safe as a file name (`<id>.pem`), as a URI path segment, and as a deny-list token: empty ids,
/// path separators, whitespace and control characters are refused with an error naming the value.
public struct ClientID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The URI scheme and authority prefix of a client identity SAN.
    public static let uriPrefix = "tributary://client/"
    /// The longest id accepted.
    public static let maximumLength = 64

    /// The validated id.
    public let value: String

    /// Validates `value` against the identity rule.
    /// - Throws: ``FleetCertificateError`` with code ``FleetCertificateError/Code/invalidClientID``
    ///   and a reason that quotes the value.
    public init(_ value: String) throws {
        if let problem = Self.problem(with: value) {
            throw FleetCertificateError(.invalidClientID, reason: "client id \(value.debugDescription) \(problem)")
        }
        self.value = value
    }

    /// The SAN URI that carries this identity: `tributary://client/<id>`.
    public var uri: String { Self.uriPrefix + self.value }

    public var description: String { self.value }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }

    static func problem(with value: String) -> String? {
        if value.isEmpty { return "is empty" }
        if value.count > Self.maximumLength {
            return "is \(value.count) characters long (at most \(Self.maximumLength))"
        }
        if value == "." || value == ".." { return "is a relative path component" }
        for scalar in value.unicodeScalars {
            if scalar == "/" || scalar == "\\" { return "contains a path separator \(String(scalar).debugDescription)" }
            if scalar.properties.generalCategory == .control {
                return "contains a control character U+\(String(scalar.value, radix: 16, uppercase: true))"
            }
            if scalar.properties.isWhitespace { return "contains whitespace" }
            let allowed = (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z")
                || (scalar >= "0" && scalar <= "9") || scalar == "." || scalar == "_" || scalar == "-"
            if !allowed {
                return "contains \(String(scalar).debugDescription) (allowed: A-Z a-z 0-9 . _ -)"
            }
        }
        return nil
    }
}
