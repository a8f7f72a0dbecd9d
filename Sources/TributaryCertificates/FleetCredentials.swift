import Foundation
import X509

/// A node's own TLS identity, loaded from files and verified against the fleet CA.
///
/// The transport turns it into a swift-nio-ssl configuration; this type has no NIO in it.
public struct FleetCredentials: Sendable {
    /// The verified chain: leaf first, fleet CA last.
    public let chain: [Certificate]
    /// The leaf's private key (checked to match the leaf).
    public let privateKey: Certificate.PrivateKey
    /// The fleet CA the chain ends in; also the trust root for peers.
    public let trustRoot: Certificate

    /// The node's own certificate.
    public var leaf: Certificate { self.chain[0] }

    /// Loads and verifies a certificate, its key and the fleet CA.
    ///
    /// Checks, in order, each failing with an error that names the file: the files exist and
    /// are PEM of the right kind; the trust root is a CA and valid at `now`; the key matches the
    /// certificate; the certificate is valid at `now`; it chains to the trust root (swift-certificates
    /// `Verifier` with `RFC5280Policy` at `now`); and, when `role` is given, it has that role's EKU.
    ///
    /// - Parameters:
    ///   - certificate: path of the leaf PEM (extra `CERTIFICATE` blocks after the first are
    ///     taken as intermediates).
    ///   - key: path of the PKCS#8 or SEC1 PEM key.
    ///   - trustRoot: path of the fleet CA PEM (`ca.pem`).
    ///   - role: the EKU to insist on; nil skips the check.
    ///   - now: the validation time (inject a clock in tests).
    public static func load(
        certificate: String,
        key: String,
        trustRoot: String,
        role: FleetRole? = nil,
        now: Date
    ) async throws -> FleetCredentials {
        let root = try PEMFile.readCertificate(trustRoot, role: "trust root (fleet CA)")
        try ChainCheck.checkTrustRoot(root, name: trustRoot, now: now)
        let leaf = try PEMFile.readCertificate(certificate)
        let privateKey = try PEMFile.readPrivateKey(key)
        guard privateKey.publicKey == leaf.publicKey else {
            throw FleetCertificateError(
                .keyMismatch,
                reason: "\(key): private key does not match the public key of certificate \(leaf.subject) in \(certificate)"
            )
        }
        let chain = try await ChainCheck.verifyChain(
            leaf: leaf,
            leafName: certificate,
            root: root,
            rootName: trustRoot,
            now: now
        )
        if let role {
            try ChainCheck.checkUsage(leaf, role: role, name: certificate)
        }
        return FleetCredentials(chain: chain, privateKey: privateKey, trustRoot: root)
    }
}
