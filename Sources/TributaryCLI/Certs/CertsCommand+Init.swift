import ArgumentParser
import Foundation
import TributaryCertificates

extension CertsCommand {
    /// `tributary certs init --dir DIR [--name NAME] [--days N] [--force]`
    public struct Init: ParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Create a fleet CA (ECDSA P-256) in a directory: ca.pem, ca-key.pem and an empty revoked.txt."
        )

        @Option(name: .long, help: "The fleet directory (created if missing).")
        var dir: String

        @Option(name: .long, help: "Fleet name; the CA subject is 'Tributary fleet CA <name>'.")
        var name: String = "default"

        @Option(name: .long, help: "Validity in days.")
        var days: Int = FleetCAConfiguration.defaultValidityDays

        @Flag(name: .long, help: "Replace an existing CA (every certificate it issued stops being trusted).")
        var force: Bool = false

        public init() {}

        public func run() throws {
            let configuration: FleetCAConfiguration
            do {
                _ = try FleetCAConfiguration(name: self.name)
            } catch let error as FleetCertificateError {
                throw CertsCommandError("--name: \(error.reason)")
            }
            do {
                configuration = try FleetCAConfiguration(name: self.name, validityDays: self.days)
            } catch let error as FleetCertificateError {
                throw CertsCommandError("--days: \(error.reason)")
            }
            let directory = FleetDirectory(path: self.dir)
            let ca = try directory.initialize(configuration: configuration, now: Date(), force: self.force)
            print("created fleet CA \(configuration.commonName), valid until \(ca.certificate.notValidAfter.formatted(.iso8601))")
            print("  certificate: \(directory.caCertificatePath)")
            print("  private key: \(directory.caKeyPath) (mode 0600)")
            print("  deny list:   \(directory.denyListPath) (tributary certs revoke adds to it)")
        }
    }
}
