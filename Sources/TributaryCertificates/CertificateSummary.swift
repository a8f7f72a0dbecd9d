import Foundation
import SwiftASN1
import X509

/// What `tributary certs show` prints about a certificate, as plain lines.
public struct CertificateSummary: Sendable {
    /// `label: value` lines, in display order.
    public let lines: [String]

    /// Reads the first certificate in a PEM file.
    public init(file: String, now: Date) throws {
        let certificate = try PEMFile.readCertificate(file)
        self.init(certificate: certificate, now: now, file: file)
    }

    public init(certificate: Certificate, now: Date, file: String? = nil) {
        var lines: [String] = []
        if let file { lines.append("file:        \(file)") }
        lines.append("subject:     \(certificate.subject)")
        lines.append("issuer:      \(certificate.issuer)")
        lines.append("serial:      \(certificate.serialNumber.hexString)")
        let state: String
        if now < certificate.notValidBefore {
            state = "not yet valid"
        } else if now > certificate.notValidAfter {
            state = "EXPIRED"
        } else {
            state = "valid now"
        }
        lines.append("not before:  \(certificate.notValidBefore.formatted(.iso8601))")
        lines.append("not after:   \(certificate.notValidAfter.formatted(.iso8601)) (\(state))")
        let names = certificate.alternativeNames.map(Self.describe)
        lines.append("SANs:        \(names.isEmpty ? "none" : names.joined(separator: ", "))")
        lines.append("CA:          \(certificate.isCertificateAuthority ? "yes" : "no")")
        let usages = certificate.extendedKeyUsages.map { "\($0)" }
        lines.append("EKU:         \(usages.isEmpty ? "none" : usages.joined(separator: ", "))")
        lines.append("signature:   \(Self.describe(certificate.signatureAlgorithm))")
        if certificate.extendedKeyUsages.contains(.clientAuth), let id = try? PeerIdentity.clientID(of: certificate) {
            lines.append("client id:   \(id.value)")
        }
        self.lines = lines
    }

    private static func describe(_ name: GeneralName) -> String {
        switch name {
        case .dnsName(let dns): return "DNS:\(dns)"
        case .uniformResourceIdentifier(let uri): return "URI:\(uri)"
        case .ipAddress(let octets): return "IP:\(IPAddress(bytes: octets.bytes)?.text ?? "?")"
        case .rfc822Name(let email): return "email:\(email)"
        default: return "\(name)"
        }
    }

    private static func describe(_ algorithm: Certificate.SignatureAlgorithm) -> String {
        let text = "\(algorithm)"
        return text.hasPrefix("SignatureAlgorithm.") ? String(text.dropFirst("SignatureAlgorithm.".count)) : text
    }
}
