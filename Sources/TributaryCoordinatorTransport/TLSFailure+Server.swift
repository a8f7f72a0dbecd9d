import TributaryTransport

extension TLSFailure {
    /// On the coordinator: why a client's handshake failed.
    static func explainOnServer(_ error: any Error) -> TransportError {
        let text = text(error)
        if text.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE") || text.contains("CERTIFICATE_REQUIRED") {
            return TransportError(.certificateRequired, "client sent no certificate; a fleet client certificate is required")
        }
        if text.contains("UNSUPPORTED_PROTOCOL") || text.contains("PROTOCOL_VERSION") || text.contains("NO_SUPPORTED_VERSIONS") {
            return TransportError(.unsupportedTLSVersion, "client offered no TLS version this coordinator accepts (TLS 1.3 only): \(error)")
        }
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            return TransportError(.certificateUnknown, "client certificate failed verification: \(error)")
        }
        if text.contains("WRONG_VERSION_NUMBER") || text.contains("HTTP_REQUEST") || text.contains("RECORD") || text.contains("DECODE") {
            return TransportError(.tlsFailure, "the client's bytes are not a TLS handshake: \(error)")
        }
        if let error = error as? TransportError { return error }
        return TransportError(.tlsFailure, "TLS with the client failed: \(error)")
    }
}
