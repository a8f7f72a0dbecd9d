import TributaryTransport

/// What the agent does after a session ended badly or could not open: pure.
public enum SessionEnding: Sendable, Equatable {
    /// Wait (backoff) and connect again: the coordinator is away, restarting, or said Goodbye.
    case reconnect
    /// Stop with this message: retrying cannot help (a revoked or refused certificate, a
    /// configuration the coordinator cannot accept).
    case fatal(String)

    /// Transport codes that mean "this edge, as configured, will never be admitted".
    static let fatalCodes: Set<TransportError.Code> = [
        .revoked, .certificateRefused, .identityMismatch, .certificateRequired, .untrustedCertificate,
        .certificateExpired, .certificateNotYetValid, .serverCertificateRejected, .unsupportedTLSVersion,
        .unsupportedProtocolVersion, .invalidConfiguration,
    ]

    public static func after(_ error: any Error) -> SessionEnding {
        if let transport = error as? TransportError {
            guard fatalCodes.contains(transport.code) else { return .reconnect }
            return .fatal("\(transport); not retried: \(advice(transport.code))")
        }
        // The edge's own state (checkpoint, store) failing is not the coordinator's absence.
        if let edge = error as? EdgeError { return .fatal(edge.reason) }
        return .reconnect
    }

    private static func advice(_ code: TransportError.Code) -> String {
        switch code {
        case .revoked: "this edge's certificate is revoked; issue a new one (tributary certs issue --client ID)"
        case .certificateExpired, .certificateNotYetValid: "renew this edge's certificate (tributary certs issue --client ID) or check the clock"
        case .serverCertificateRejected: "check coordinator.server_name and tls.ca"
        default: "fix the certificate or configuration named above and restart the agent"
        }
    }
}
