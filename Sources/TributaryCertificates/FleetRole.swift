import X509

/// Which side of the mutual-TLS connection a leaf certificate serves. A closed choice.
public enum FleetRole: String, Sendable, Hashable, CaseIterable {
    /// An edge agent: EKU clientAuth, identity from the SAN URI.
    case client
    /// The coordinator: EKU serverAuth, SAN DNS names / IP addresses.
    case server

    var extendedKeyUsage: ExtendedKeyUsage.Usage {
        switch self {
        case .client: .clientAuth
        case .server: .serverAuth
        }
    }
}
