import ArgumentParser
import Foundation
import TributaryCertificates

extension CertsCommand {
    /// `tributary certs revoke ID --dir DIR [--certificate FILE]`
    public struct Revoke: ParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "revoke",
            abstract: "Add a client id (and its certificate's serial, if found) to revoked.txt.",
            discussion: """
                The serial is read from --certificate, or from <dir>/<id>.pem when it exists. \
                The coordinator re-reads revoked.txt when its modification time changes.
                """
        )

        @Argument(help: "The client id to revoke.")
        var id: String

        @Option(name: .long, help: "The fleet directory holding revoked.txt.")
        var dir: String

        @Option(name: .long, help: "The client's certificate, when it is not <dir>/<id>.pem.")
        var certificate: String?

        public init() {}

        public func run() throws {
            let clientID: ClientID
            do {
                clientID = try ClientID(self.id)
            } catch let error as FleetCertificateError {
                throw CertsCommandError("ID: \(error.reason)")
            }
            let directory = FleetDirectory(path: self.dir)
            let serial = try directory.revoke(clientID, certificate: self.certificate, now: Date())
            if let serial {
                print("revoked client \(clientID.value) and certificate serial \(serial.hexString) in \(directory.denyListPath)")
            } else {
                print("revoked client \(clientID.value) in \(directory.denyListPath) (no certificate found, serial not recorded)")
            }
        }
    }
}
