import X509

/// Where ``FleetDirectory`` wrote an issued certificate and its key.
public struct IssuedFiles: Sendable {
    public let certificatePath: String
    public let keyPath: String
    public let certificate: Certificate
}
