import Foundation
import X509

/// What the coordinator runs on a client's certificate after the TLS handshake: chain to the
/// fleet CA at `now`, EKU clientAuth, identity from the certificate, and the deny list.
public struct FleetPeerVerifier: Sendable {
    /// The fleet CA.
    public var trustRoot: Certificate
    /// The revocations in force (update it from a ``DenyListWatcher``).
    public var denyList: DenyList

    public init(trustRoot: Certificate, denyList: DenyList = DenyList()) {
        self.trustRoot = trustRoot
        self.denyList = denyList
    }

    /// Verifies a client's leaf certificate and returns the identity it names.
    /// - Throws: ``FleetCertificateError`` with codes `expired`, `notYetValid`, `untrustedIssuer`,
    ///   `wrongExtendedKeyUsage`, `missingIdentity`, `identityMismatch`, `invalidClientID` or `revoked`.
    public func verifyClient(
        _ leaf: Certificate,
        intermediates: [Certificate] = [],
        now: Date
    ) async throws -> ClientID {
        let name = "peer certificate serial \(leaf.serialNumber.hexString)"
        _ = try await ChainCheck.verifyChain(
            leaf: leaf,
            leafName: name,
            intermediates: intermediates,
            root: self.trustRoot,
            rootName: "fleet CA",
            now: now
        )
        try ChainCheck.checkUsage(leaf, role: .client, name: name)
        let id = try PeerIdentity.clientID(of: leaf)
        if self.denyList.isRevoked(clientID: id, serial: leaf.serialNumber) {
            throw FleetCertificateError(.revoked, reason: "\(name): client \(id.value) is revoked")
        }
        return id
    }
}
