import X509

/// A leaf certificate fresh from the fleet CA, with its private key.
public struct IssuedCertificate: Sendable {
    public let certificate: Certificate
    public let privateKey: Certificate.PrivateKey

    /// The certificate as a PEM `CERTIFICATE` document.
    public func certificatePEM() throws -> String {
        try self.certificate.serializeAsPEM().pemString + "\n"
    }

    /// The key as a PKCS#8 PEM `PRIVATE KEY` document.
    public func privateKeyPEM() throws -> String {
        try self.privateKey.serializeAsPEM().pemString + "\n"
    }
}
