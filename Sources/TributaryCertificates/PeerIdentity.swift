import X509

/// Reads the client identity out of a peer's leaf certificate (see ``ClientID`` for the rule).
///
/// This only reads: call it on a certificate that has already been verified against the fleet
/// CA (``FleetPeerVerifier`` does both).
public enum PeerIdentity {
    /// The client id a certificate names.
    ///
    /// - The SAN URIs starting with `tributary://client/` decide: exactly one is allowed, and its
    ///   rest must satisfy the identity rule.
    /// - The subject CN, when present, must equal it.
    /// - Without such a URI, the single subject CN is the id (certificates made by other tools).
    ///
    /// - Throws: ``FleetCertificateError/Code/missingIdentity``, ``FleetCertificateError/Code/identityMismatch``
    ///   or ``FleetCertificateError/Code/invalidClientID``, naming the certificate's subject.
    public static func clientID(of certificate: Certificate) throws -> ClientID {
        let uris: [String] = certificate.alternativeNames.compactMap {
            if case .uniformResourceIdentifier(let uri) = $0, uri.hasPrefix(ClientID.uriPrefix) { return uri }
            return nil
        }
        let commonNames = certificate.commonNames
        if uris.count > 1 {
            throw FleetCertificateError(
                .identityMismatch,
                reason: "certificate \(certificate.subject) has \(uris.count) client URIs: \(uris.joined(separator: ", "))"
            )
        }
        if let uri = uris.first {
            let id = try ClientID(String(uri.dropFirst(ClientID.uriPrefix.count)))
            if let mismatch = commonNames.first(where: { $0 != id.value }) {
                throw FleetCertificateError(
                    .identityMismatch,
                    reason: "certificate \(certificate.subject): CN \(mismatch.debugDescription) differs from SAN URI \(uri)"
                )
            }
            return id
        }
        guard commonNames.count == 1, let commonName = commonNames.first else {
            throw FleetCertificateError(
                .missingIdentity,
                reason: "certificate \(certificate.subject) has no \(ClientID.uriPrefix) SAN URI and \(commonNames.count) common names"
            )
        }
        return try ClientID(commonName)
    }
}
