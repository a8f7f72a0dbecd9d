@_spi(FixedExpiryValidationTime) import X509
import Foundation

/// The checks shared by ``FleetCredentials`` and ``FleetPeerVerifier``, each failing with an
/// error that names the certificate (by file or subject) and why.
enum ChainCheck {
    /// Fails when `certificate` is not valid at `now`.
    static func checkValidity(_ certificate: Certificate, name: String, now: Date) throws {
        if now < certificate.notValidBefore {
            throw FleetCertificateError(
                .notYetValid,
                reason: "\(name): certificate \(certificate.subject) is not valid before \(Self.format(certificate.notValidBefore)) (now \(Self.format(now)))"
            )
        }
        if now > certificate.notValidAfter {
            throw FleetCertificateError(
                .expired,
                reason: "\(name): certificate \(certificate.subject) expired \(Self.format(certificate.notValidAfter)) (now \(Self.format(now)))"
            )
        }
    }

    /// Fails when `root` cannot be a trust anchor.
    static func checkTrustRoot(_ root: Certificate, name: String, now: Date) throws {
        guard root.isCertificateAuthority else {
            throw FleetCertificateError(
                .notCertificateAuthority,
                reason: "\(name): trust root \(root.subject) is not a CA (basicConstraints CA:true missing)"
            )
        }
        try Self.checkValidity(root, name: name, now: now)
    }

    /// Fails when the leaf lacks the role's extended key usage.
    static func checkUsage(_ leaf: Certificate, role: FleetRole, name: String) throws {
        let usages = leaf.extendedKeyUsages
        guard usages.contains(role.extendedKeyUsage) else {
            let found = usages.isEmpty ? "none" : usages.map { "\($0)" }.joined(separator: ", ")
            throw FleetCertificateError(
                .wrongExtendedKeyUsage,
                reason: "\(name): certificate \(leaf.subject) lacks extended key usage \(role.extendedKeyUsage) for a \(role.rawValue) (has: \(found))"
            )
        }
    }

    /// Validates leaf → root with swift-certificates' `Verifier` and `RFC5280Policy` at `now`.
    /// - Returns: the chain, leaf first, root last.
    static func verifyChain(
        leaf: Certificate,
        leafName: String,
        intermediates: [Certificate] = [],
        root: Certificate,
        rootName: String,
        now: Date
    ) async throws -> [Certificate] {
        try Self.checkTrustRoot(root, name: rootName, now: now)
        try Self.checkValidity(leaf, name: leafName, now: now)
        if leaf.isCertificateAuthority {
            throw FleetCertificateError(.wrongExtendedKeyUsage, reason: "\(leafName): certificate \(leaf.subject) is a CA, not a leaf")
        }
        var verifier = Verifier(rootCertificates: CertificateStore([root])) {
            RFC5280Policy(fixedExpiryValidationTime: now)
        }
        let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore(intermediates))
        switch result {
        case .validCertificate(let chain):
            return Array(chain)
        case .couldNotValidate(let failures):
            let detail = failures.first.map { "; \($0.policyFailureReason)" } ?? ""
            throw FleetCertificateError(
                .untrustedIssuer,
                reason: "\(leafName): certificate \(leaf.subject) (issuer \(leaf.issuer)) is not signed by the fleet CA \(root.subject) in \(rootName)\(detail)"
            )
        }
    }

    static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
