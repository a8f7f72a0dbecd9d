import ArgumentParser
import Foundation
import TributaryCertificates

extension CertsCommand {
    /// `tributary certs show FILE`
    public struct Show: ParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Print a certificate's subject, SANs, serial, validity, issuer and usage."
        )

        @Argument(help: "A PEM certificate file.")
        var file: String

        public init() {}

        public func run() throws {
            let summary = try CertificateSummary(file: self.file, now: Date())
            print(summary.lines.joined(separator: "\n"))
        }
    }
}
