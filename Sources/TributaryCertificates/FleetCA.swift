import Crypto
import Foundation
import SwiftASN1
import X509

/// The fleet certificate authority: a self-signed ECDSA P-256 certificate and its key.
///
/// P-256 with ECDSA-SHA256 is used for every certificate because BoringSSL (swift-nio-ssl)
/// accepts it for TLS 1.3 client and server authentication on every platform; Ed25519
/// certificates are not offered by all TLS stacks.
///
/// The CA certificate has `basicConstraints CA:true, pathlen:0` (critical), `keyUsage
/// keyCertSign, cRLSign` (critical) and a subject key identifier; its subject is
/// `CN=Tributary fleet CA <name>`.
public struct FleetCA: Sendable {
    /// The self-signed CA certificate.
    public let certificate: Certificate
    /// The CA signing key.
    public let privateKey: Certificate.PrivateKey

    /// Wraps an existing CA after checking that it is a CA and that the key belongs to it.
    /// - Parameter source: names the files in error messages.
    public init(certificate: Certificate, privateKey: Certificate.PrivateKey, source: String = "fleet CA") throws {
        guard certificate.isCertificateAuthority else {
            throw FleetCertificateError(
                .notCertificateAuthority,
                reason: "\(source): certificate \(certificate.subject) is not a CA (basicConstraints CA:true missing)"
            )
        }
        guard privateKey.publicKey == certificate.publicKey else {
            throw FleetCertificateError(.keyMismatch, reason: "\(source): private key does not match CA certificate \(certificate.subject)")
        }
        self.certificate = certificate
        self.privateKey = privateKey
    }

    /// Makes a new CA with a fresh P-256 key; the serial comes from the system CSPRNG.
    public static func create(configuration: FleetCAConfiguration, now: Date) throws -> FleetCA {
        var generator = SystemRandomNumberGenerator()
        return try Self.create(configuration: configuration, now: now, generator: &generator)
    }

    /// Makes a new CA with a fresh P-256 key; the serial comes from `generator`.
    public static func create(
        configuration: FleetCAConfiguration,
        now: Date,
        generator: inout some RandomNumberGenerator
    ) throws -> FleetCA {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let name = try DistinguishedName { CommonName(configuration.commonName) }
        let validity = ValidityDays.interval(now: now, days: configuration.validityDays)
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
            Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            SubjectKeyIdentifier(hash: key.publicKey)
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: .random16(using: &generator),
            publicKey: key.publicKey,
            notValidBefore: validity.notBefore,
            notValidAfter: validity.notAfter,
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: key
        )
        return try FleetCA(certificate: certificate, privateKey: key)
    }

    /// Issues a client certificate for a device: `CN=<id>`, SAN URI `tributary://client/<id>`,
    /// EKU clientAuth, CA:false.
    public func issueClient(
        _ id: ClientID,
        configuration: LeafCertificateConfiguration,
        now: Date,
        generator: inout some RandomNumberGenerator
    ) throws -> IssuedCertificate {
        try self.issue(
            commonName: id.value,
            alternativeNames: [.uniformResourceIdentifier(id.uri)],
            usage: .clientAuth,
            configuration: configuration,
            now: now,
            generator: &generator
        )
    }

    /// Issues a server certificate: `CN=<first name or address>`, SAN DNS names and IP
    /// addresses, EKU serverAuth, CA:false.
    public func issueServer(
        names: [ServerName],
        addresses: [IPAddress] = [],
        configuration: LeafCertificateConfiguration,
        now: Date,
        generator: inout some RandomNumberGenerator
    ) throws -> IssuedCertificate {
        guard let commonName = names.first?.value ?? addresses.first?.text else {
            throw FleetCertificateError(.invalidHostname, reason: "a server certificate needs at least one host name or IP address")
        }
        let alternativeNames: [GeneralName] =
            names.map { .dnsName($0.value) } + addresses.map { .ipAddress(ASN1OctetString(contentBytes: $0.bytes[...])) }
        return try self.issue(
            commonName: commonName,
            alternativeNames: alternativeNames,
            usage: .serverAuth,
            configuration: configuration,
            now: now,
            generator: &generator
        )
    }

    private func issue(
        commonName: String,
        alternativeNames: [GeneralName],
        usage: ExtendedKeyUsage.Usage,
        configuration: LeafCertificateConfiguration,
        now: Date,
        generator: inout some RandomNumberGenerator
    ) throws -> IssuedCertificate {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let validity = ValidityDays.interval(now: now, days: configuration.validityDays)
        let notBefore = max(validity.notBefore, self.certificate.notValidBefore)
        let notAfter = min(validity.notAfter, self.certificate.notValidAfter)
        guard notBefore < notAfter else {
            throw FleetCertificateError(
                .expired,
                reason: "fleet CA \(self.certificate.subject) is not valid at \(ChainCheck.format(now)) (valid \(ChainCheck.format(self.certificate.notValidBefore)) to \(ChainCheck.format(self.certificate.notValidAfter)))"
            )
        }
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true))
            try ExtendedKeyUsage([usage])
            SubjectAlternativeNames(alternativeNames)
            SubjectKeyIdentifier(hash: key.publicKey)
            AuthorityKeyIdentifier(keyIdentifier: try self.certificate.extensions.subjectKeyIdentifier?.keyIdentifier)
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: .random16(using: &generator),
            publicKey: key.publicKey,
            notValidBefore: notBefore,
            notValidAfter: notAfter,
            issuer: self.certificate.subject,
            subject: try DistinguishedName { CommonName(commonName) },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: self.privateKey
        )
        return IssuedCertificate(certificate: certificate, privateKey: key)
    }
}
