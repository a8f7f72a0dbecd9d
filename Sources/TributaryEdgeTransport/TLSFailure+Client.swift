import Foundation
import NIOCore
import NIOPosix
import TributaryTransport
import X509

extension TLSFailure {
    /// On the edge: why the connection to the coordinator failed, naming what to check.
    static func explainOnClient(_ error: any Error, configuration: EdgeTransportConfiguration, now: Date = Date()) -> TransportError {
        if let error = error as? TransportError { return error }
        let text = text(error)
        if text.contains("CERTIFICATE_REQUIRED") || (configuration.ownCertificate == nil && text.contains("ALERT")) {
            return TransportError(.certificateRequired,
                                  "coordinator requires a client certificate and this client sent none (pass --cert and --key): \(error)")
        }
        if text.contains("PROTOCOL_VERSION") || text.contains("UNSUPPORTED_PROTOCOL") {
            return TransportError(.unsupportedTLSVersion,
                                  "coordinator accepts only TLS 1.3 and this client offered no TLS 1.3 (\(versions(configuration))): \(error)")
        }
        if text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("HOSTNAME") || text.contains("HANDSHAKE_FAILED_INVALID_HOSTNAME") {
            return TransportError(.serverCertificateRejected,
                                  "this client refused the coordinator's certificate: it is not issued by the fleet CA this client trusts, or does not name \(configuration.serverHostname ?? "the host"): \(error)")
        }
        if text.contains("ALERT") && text.contains("CERTIFICATE") || text.contains("UNKNOWN_CA") || text.contains("BAD_CERTIFICATE") {
            return diagnoseOwnCertificate(error, configuration: configuration, now: now)
        }
        if error is NIOConnectionError || error is ChannelError || text.contains("CONNECTION REFUSED") || text.contains("CONNECT") {
            return TransportError(.connectFailed, "cannot connect to the coordinator: \(error)")
        }
        return TransportError(.tlsFailure, "TLS with the coordinator failed: \(error)")
    }

    /// The coordinator refused our certificate during the handshake, and TLS 1.3 only says
    /// "certificate unknown": check our own certificate to name the likely cause.
    private static func diagnoseOwnCertificate(_ error: any Error, configuration: EdgeTransportConfiguration, now: Date) -> TransportError {
        let prefix = "coordinator refused this client's certificate during the TLS handshake"
        guard let own = configuration.ownCertificate else {
            return TransportError(.certificateUnknown, "\(prefix): \(error)")
        }
        if own.notValidAfter < now {
            return TransportError(.certificateExpired, "\(prefix): it expired at \(own.notValidAfter) (serial \(own.serialNumber)); ask for a new one with `tributary certs issue --client`")
        }
        if own.notValidBefore > now {
            return TransportError(.certificateNotYetValid, "\(prefix): it is not valid before \(own.notValidBefore); check this machine's clock")
        }
        if let root = configuration.trustRoot,
           own.issuer != root.subject || !root.publicKey.isValidSignature(own.signature, for: own) {
            return TransportError(.untrustedCertificate, "\(prefix): it was issued by \(own.issuer), not by the fleet CA \(root.subject)")
        }
        return TransportError(.certificateUnknown, "\(prefix) (it looks valid here: is the coordinator using another fleet CA?): \(error)")
    }

    private static func versions(_ configuration: EdgeTransportConfiguration) -> String {
        "offered \(configuration.tls.minimumTLSVersion)...\(configuration.tls.maximumTLSVersion.map { "\($0)" } ?? "any")"
    }
}
