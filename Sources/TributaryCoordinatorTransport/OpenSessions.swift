import NIOConcurrencyHelpers
import NIOCore
import TributaryCertificates
import TributaryTransport
import X509

/// The coordinator's admitted connections, by session number, with the identity their
/// certificate gave, so that revoking a client in `revoked.txt` also ends the session it has open.
final class OpenSessions: Sendable {
    struct Entry: Sendable {
        var clientID: ClientID
        var serial: Certificate.SerialNumber
        var channel: any Channel
    }
    private let entries = NIOLockedValueBox<[UInt64: Entry]>([:])

    var count: Int { entries.withLockedValue { $0.count } }

    func add(_ number: UInt64, _ entry: Entry) {
        entries.withLockedValue { $0[number] = entry }
    }

    func remove(_ number: UInt64) {
        _ = entries.withLockedValue { $0.removeValue(forKey: number) }
    }

    /// Ends every open session whose client id or certificate serial `denyList` revokes: the
    /// session says Goodbye `REVOKED` and closes. Returns the ids ended.
    func revoke(_ denyList: DenyList) -> [ClientID] {
        let revoked = entries.withLockedValue { entries in
            entries.filter { denyList.isRevoked(clientID: $0.value.clientID, serial: $0.value.serial) }
        }
        for (_, entry) in revoked {
            let detail = "client \(entry.clientID) (certificate serial \(entry.serial.hexString)) is revoked"
            entry.channel.eventLoop.execute {
                entry.channel.pipeline.fireUserInboundEventTriggered(SessionRevocation(detail: detail))
            }
        }
        return revoked.map(\.value.clientID)
    }
}
