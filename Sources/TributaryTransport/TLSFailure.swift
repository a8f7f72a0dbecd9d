/// Reads a swift-nio-ssl / BoringSSL failure and names its likely cause; each side adds its own
/// explanation (`explainOnServer` in TributaryCoordinatorTransport, `explainOnClient` in TributaryEdgeTransport).
package enum TLSFailure {
    /// The BoringSSL reason text of an error ("TLSV13_ALERT_CERTIFICATE_REQUIRED", …), upper-cased.
    package static func text(_ error: any Error) -> String {
        String(describing: error).uppercased()
    }
}
