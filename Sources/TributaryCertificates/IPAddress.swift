#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address a server certificate is issued for (a SAN `iPAddress`).
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// Network-order bytes: 4 for IPv4, 16 for IPv6.
    public let bytes: [UInt8]
    /// The text it was parsed from.
    public let text: String

    /// Parses dotted IPv4 (`127.0.0.1`) or IPv6 (`::1`) text.
    /// - Throws: ``FleetCertificateError`` with code ``FleetCertificateError/Code/invalidIPAddress``.
    public init(_ text: String) throws {
        if let v4 = Self.parse(text, family: AF_INET, count: 4) {
            self.bytes = v4
        } else if let v6 = Self.parse(text, family: AF_INET6, count: 16) {
            self.bytes = v6
        } else {
            throw FleetCertificateError(.invalidIPAddress, reason: "IP address \(text.debugDescription) is not IPv4 or IPv6")
        }
        self.text = text
    }

    /// Wraps raw address bytes (4 or 16) as found in a certificate.
    init?(bytes: some Collection<UInt8>) {
        let array = Array(bytes)
        guard array.count == 4 || array.count == 16 else { return nil }
        self.bytes = array
        var buffer = [CChar](repeating: 0, count: 64)
        let family = array.count == 4 ? AF_INET : AF_INET6
        let ok = array.withUnsafeBytes { raw in
            inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) != nil
        }
        self.text = ok ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
    }

    public var description: String { self.text }

    private static func parse(_ text: String, family: Int32, count: Int) -> [UInt8]? {
        if text.isEmpty || text.contains("\0") { return nil }
        var out = [UInt8](repeating: 0, count: count)
        let result = out.withUnsafeMutableBytes { raw in inet_pton(family, text, raw.baseAddress) }
        return result == 1 ? out : nil
    }
}
