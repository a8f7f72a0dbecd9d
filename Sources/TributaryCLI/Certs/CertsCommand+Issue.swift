import ArgumentParser
import Foundation
import TributaryCertificates

extension CertsCommand {
    /// `tributary certs issue --dir DIR (--client ID | --server HOST [--ip ADDR]...) [--days N] [--out DIR] [--force]`
    public struct Issue: ParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "issue",
            abstract: "Issue a client certificate for a device id, or a server certificate for host names / IPs.",
            discussion: """
                Writes <name>.pem and <name>-key.pem (0600), where <name> is the client id or the \
                first server name. A client certificate has CN=<id>, SAN URI tributary://client/<id> \
                and EKU clientAuth; a server certificate has SAN DNS names and IP addresses and EKU \
                serverAuth.
                """
        )

        @Option(name: .long, help: "The fleet directory holding ca.pem and ca-key.pem.")
        var dir: String

        @Option(name: .long, help: "Issue a client certificate for this device id (A-Z a-z 0-9 . _ -).")
        var client: String?

        @Option(name: .long, help: "Issue a server certificate for this host name (repeat for more names).")
        var server: [String] = []

        @Option(name: .long, help: "Add an IP address to a server certificate (repeatable).")
        var ip: [String] = []

        @Option(name: .long, help: "Validity in days.")
        var days: Int = LeafCertificateConfiguration.defaultValidityDays

        @Option(name: .long, help: "Write the certificate and key here instead of --dir.")
        var out: String?

        @Flag(name: .long, help: "Replace existing files for the same name.")
        var force: Bool = false

        public init() {}

        public func validate() throws {
            let isServer = !self.server.isEmpty || !self.ip.isEmpty
            if self.client != nil && isServer {
                throw CertsCommandError("--client cannot be combined with --server or --ip")
            }
            if self.client == nil && !isServer {
                throw CertsCommandError("give --client ID or --server HOST")
            }
        }

        public func run() throws {
            let configuration: LeafCertificateConfiguration
            do {
                configuration = try LeafCertificateConfiguration(validityDays: self.days)
            } catch let error as FleetCertificateError {
                throw CertsCommandError("--days: \(error.reason)")
            }
            let directory = FleetDirectory(path: self.dir)
            let files: IssuedFiles
            if let client = self.client {
                let id: ClientID
                do {
                    id = try ClientID(client)
                } catch let error as FleetCertificateError {
                    throw CertsCommandError("--client: \(error.reason)")
                }
                files = try directory.issueClient(id, configuration: configuration, output: self.out, force: self.force, now: Date())
                print("issued client certificate for \(id.value) (\(id.uri))")
            } else {
                let (names, addresses) = try self.serverNames()
                files = try directory.issueServer(
                    names: names,
                    addresses: addresses,
                    configuration: configuration,
                    output: self.out,
                    force: self.force,
                    now: Date()
                )
                let all = names.map { "DNS:\($0.value)" } + addresses.map { "IP:\($0.text)" }
                print("issued server certificate for \(all.joined(separator: ", "))")
            }
            print("  serial:      \(files.certificate.serialNumber.hexString)")
            print("  valid until: \(files.certificate.notValidAfter.formatted(.iso8601))")
            print("  certificate: \(files.certificatePath)")
            print("  private key: \(files.keyPath) (mode 0600)")
        }

        /// `--server` values that are IP literals become IP SANs, like `--ip`.
        private func serverNames() throws -> ([ServerName], [IPAddress]) {
            var names: [ServerName] = []
            var addresses: [IPAddress] = []
            for host in self.server {
                if let address = try? IPAddress(host) {
                    addresses.append(address)
                    continue
                }
                do {
                    names.append(try ServerName(host))
                } catch let error as FleetCertificateError {
                    throw CertsCommandError("--server: \(error.reason)")
                }
            }
            for text in self.ip {
                do {
                    addresses.append(try IPAddress(text))
                } catch let error as FleetCertificateError {
                    throw CertsCommandError("--ip: \(error.reason)")
                }
            }
            return (names, addresses)
        }
    }
}
