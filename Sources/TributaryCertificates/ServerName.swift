/// A DNS host name a server certificate is issued for (a SAN `dNSName`).
///
/// Accepted: 1 to 253 characters, dot-separated labels of 1 to 63 characters from
/// `A-Z a-z 0-9 -`, no label starting or ending with `-`; a trailing dot is dropped and the
/// name is lower-cased. Wildcards, empty names, path separators and control characters are
/// refused with an error naming the value. IP addresses go in ``IPAddress`` instead.
public struct ServerName: Hashable, Sendable, CustomStringConvertible {
    /// The validated, lower-cased host name.
    public let value: String

    /// - Throws: ``FleetCertificateError`` with code ``FleetCertificateError/Code/invalidHostname``.
    public init(_ value: String) throws {
        var name = value
        if name.hasSuffix(".") && name.count > 1 { name.removeLast() }
        if let problem = Self.problem(with: name) {
            throw FleetCertificateError(.invalidHostname, reason: "host name \(value.debugDescription) \(problem)")
        }
        self.value = name.lowercased()
    }

    public var description: String { self.value }

    static func problem(with name: String) -> String? {
        if name.isEmpty { return "is empty" }
        if name.utf8.count > 253 { return "is longer than 253 characters" }
        for scalar in name.unicodeScalars {
            if scalar == "/" || scalar == "\\" { return "contains a path separator \(String(scalar).debugDescription)" }
            if scalar.properties.generalCategory == .control {
                return "contains a control character U+\(String(scalar.value, radix: 16, uppercase: true))"
            }
            if scalar.properties.isWhitespace { return "contains whitespace" }
            if scalar == "*" { return "is a wildcard (not supported)" }
        }
        for label in name.split(separator: ".", omittingEmptySubsequences: false) {
            if label.isEmpty { return "has an empty label" }
            if label.utf8.count > 63 { return "has a label longer than 63 characters" }
            if label.hasPrefix("-") || label.hasSuffix("-") { return "has a label starting or ending with '-'" }
            for scalar in label.unicodeScalars {
                let ok = (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z")
                    || (scalar >= "0" && scalar <= "9") || scalar == "-"
                if !ok { return "contains \(String(scalar).debugDescription) (allowed: A-Z a-z 0-9 - .)" }
            }
        }
        if name.split(separator: ".").allSatisfy({ $0.allSatisfy(\.isNumber) }) {
            return "looks like an IP address (use --ip)"
        }
        return nil
    }
}
