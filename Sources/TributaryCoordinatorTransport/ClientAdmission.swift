import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import TributaryCertificates
import TributarySession
import TributaryTransport
import TributaryWire
import X509

/// Per connection: what the certificate check decided, written by the TLS verification
/// callback and read when the handshake completes.
final class ClientAdmission: Sendable {
    private struct State {
        var admission: CoordinatorSession.Admission?
        var handshakeRefusal: TransportError?
        var identity: (clientID: ClientID, serial: Certificate.SerialNumber)?
    }
    private let state = NIOLockedValueBox(State())

    var admission: CoordinatorSession.Admission? { state.withLockedValue { $0.admission } }
    var handshakeRefusal: TransportError? { state.withLockedValue { $0.handshakeRefusal } }
    /// The admitted client's id and certificate serial.
    var identity: (clientID: ClientID, serial: Certificate.SerialNumber)? { state.withLockedValue { $0.identity } }

    /// The swift-nio-ssl custom verification callback: `FleetPeerVerifier` on the presented chain.
    ///
    /// - Not from the fleet CA, expired or not yet valid: the handshake fails (the coordinator
    ///   does not talk to a peer it cannot authenticate); the precise reason is kept for the log.
    /// - From the fleet CA but revoked, or unusable as a client identity: the handshake
    ///   succeeds and the session's first frame is Reject with `REVOKED` or
    ///   `CERTIFICATE_REFUSED`, so the client can tell its user why.
    func verify(_ certificates: [NIOSSLCertificate], verifier: FleetPeerVerifier,
                promise: EventLoopPromise<NIOSSLVerificationResult>) {
        promise.completeWithTask {
            guard let first = certificates.first else {
                self.refuseHandshake(TransportError(.certificateRequired, "client sent no certificate"))
                return .failed
            }
            do {
                let leaf = try TLSMaterial.x509(first)
                let intermediates = try certificates.dropFirst().map(TLSMaterial.x509)
                let id = try await verifier.verifyClient(leaf, intermediates: intermediates, now: Date())
                self.state.withLockedValue {
                    $0.admission = .admit(clientID: id.value)
                    $0.identity = (id, leaf.serialNumber)
                }
                return .certificateVerified
            } catch let error as FleetCertificateError {
                switch error.code {
                case .revoked:
                    self.admit(.refuse(Reject(code: .revoked, reason: error.reason)))
                    return .certificateVerified
                case .wrongExtendedKeyUsage, .missingIdentity, .identityMismatch, .invalidClientID:
                    self.admit(.refuse(Reject(code: .certificateRefused, reason: error.description)))
                    return .certificateVerified
                case .expired:
                    self.refuseHandshake(TransportError(.certificateExpired, "client certificate refused: \(error.reason)"))
                case .notYetValid:
                    self.refuseHandshake(TransportError(.certificateNotYetValid, "client certificate refused: \(error.reason)"))
                default:
                    self.refuseHandshake(TransportError(.untrustedCertificate, "client certificate refused: \(error.description)"))
                }
                return .failed
            } catch {
                self.refuseHandshake(TransportError(.untrustedCertificate, "client certificate does not parse: \(error)"))
                return .failed
            }
        }
    }

    private func admit(_ admission: CoordinatorSession.Admission) {
        state.withLockedValue { $0.admission = admission }
    }

    private func refuseHandshake(_ error: TransportError) {
        state.withLockedValue { $0.handshakeRefusal = error }
    }
}
