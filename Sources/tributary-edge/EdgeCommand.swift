import ArgumentParser
import Foundation
import Logging
import TributaryCertificates
import TributaryEdge
import TributaryLearning
import TributaryTransport

/// `tributary-edge`: the small edge agent executable.
struct EdgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tributary-edge",
        abstract: "Tributary edge agent: trains on local data when the coordinator offers a round.",
        subcommands: [Run.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Connect to the coordinator over mutual TLS 1.3, answer its RoundOffer with an Update, and exit.")

        @Option(help: "Coordinator address, HOST:PORT.") var coordinator: String
        @Option(help: "Fleet CA certificate (ca.pem).") var ca: String
        @Option(help: "This edge's certificate (from `tributary certs issue --client ID`).") var cert: String
        @Option(help: "This edge's private key.") var key: String
        @Option(help: "Local training data, CSV with the label in the last column.") var data: String
        @Option(help: "State directory (the edge checkpoint edge.ckpt).") var state: String
        @Option(help: "Name to check in the coordinator's certificate (default: the HOST of --coordinator).") var serverName: String?
        @Option(help: "Rounds to answer before saying Goodbye.") var rounds: Int = 1
        @Flag(help: "Stay connected after the Updates until the coordinator says Goodbye (ModelReleases are adopted).") var waitRelease = false

        func run() async throws {
            let logger = Logger(label: "tributary.edge")
            do {
                let endpoint = try Endpoint(parsing: coordinator)
                let credentials = try await FleetCredentials.load(certificate: cert, key: key, trustRoot: ca, role: .client, now: Date())
                let clientID = try PeerIdentity.clientID(of: credentials.leaf)
                let transport = try EdgeTransportConfiguration.mutualTLS(credentials: credentials,
                                                                        serverHostname: serverName ?? endpoint.host)
                let dataset = try CSVLoader.load(path: data)
                let agent = EdgeAgent(host: endpoint.host, port: endpoint.port, transport: transport, clientID: clientID.value,
                                      data: dataset, stateDirectory: state, maxRounds: rounds, waitForRelease: waitRelease)
                let updates = try await agent.run(logger: logger)
                for update in updates {
                    let loss = update.metrics["train.loss"].map { String(format: "%.4f", $0) } ?? "?"
                    print("edge \(clientID.value): sent Update for round \(update.roundID) (\(update.numExamples) examples, train.loss \(loss))")
                }
            } catch {
                FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
