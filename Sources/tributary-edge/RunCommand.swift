import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import TributaryCertificates
import TributaryConfig
import TributaryEdge
import TributaryFeedback
import TributaryLearning
import TributaryTransport

/// `tributary-edge run`: the long-running agent, until SIGTERM/SIGINT or a fatal refusal.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the edge agent: stay connected to the coordinator over mutual TLS 1.3 (reconnecting with backoff), report Ready when a trigger fires, answer RoundOffers, adopt ModelReleases.",
        discussion: "With --config, the flags below override the file. Without it, --coordinator, --ca, --cert, --key, --state and --data are required and the CSV is the agent's data in memory.")

    @OptionGroup var options: ConfigOptions
    @Option(help: "Coordinator address, HOST:PORT (coordinator.address).") var coordinator: String?
    @Option(help: "Fleet CA certificate (tls.ca).") var ca: String?
    @Option(help: "This edge's certificate (tls.cert).") var cert: String?
    @Option(help: "This edge's private key (tls.key).") var key: String?
    @Option(help: "Labelled CSV: imported into the store once (with --config), else the data in memory.") var data: String?
    @Option(help: "State directory (state.directory).") var state: String?
    @Option(help: "Name to check in the coordinator's certificate (coordinator.server_name).") var serverName: String?
    @Option(help: "Say Goodbye and exit after answering this many rounds (default: run until stopped).") var rounds: Int?

    func validate() throws {
        if let rounds, rounds < 1 { throw ValidationError("--rounds is \(rounds); must be >= 1") }
    }

    func run() async throws {
        let logger = Logger(label: "tributary.edge")
        do {
            let (configuration, memory) = try loadConfiguration()
            let credentials = try await FleetCredentials.load(certificate: configuration.tls.certificate, key: configuration.tls.key,
                                                              trustRoot: configuration.tls.ca, role: .client, now: Date())
            let clientID = try PeerIdentity.clientID(of: credentials.leaf).value
            let transport = try EdgeAgent.transport(for: configuration, credentials: credentials)
            let source: any EdgeDataSource
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
            if let memory {
                source = InMemoryDataSource(memory)
            } else {
                let store = try FeedbackStore.open(for: configuration)
                for file in configuration.feedback.imports {
                    // A refused file is skipped, not fatal: it would stop the agent again at every start.
                    do {
                        if let stored = try store.importCSVOnce(path: file, maxBytes: configuration.feedback.importMaxBytes) {
                            say("edge \(clientID): imported \(stored) example(s) from \(file)")
                        }
                    } catch let error as FeedbackError where error.code == .invalidRecord {
                        warn("edge \(clientID): skipped import: \(error.reason)")
                    }
                }
                source = FeedbackStoreSource(store: store)
                if configuration.ingestion.enabled {
                    services.append(.init(service: FeedbackEndpointService(store: store, listen: configuration.ingestion.listen, logger: logger),
                                          successTerminationBehavior: .gracefullyShutdownGroup))
                }
            }
            let agent = try EdgeAgent(configuration: configuration, clientID: clientID, transport: transport, data: source,
                                      faults: TestingHooks.faults(), stopAfterRounds: rounds, logger: logger,
                                      onEvent: { EventLines.print($0, clientID: clientID) })
            services.insert(.init(service: agent, successTerminationBehavior: .gracefullyShutdownGroup), at: 0)
            var group = ServiceGroupConfiguration(services: services, logger: logger)
            group.gracefulShutdownSignals = [.sigterm, .sigint]
            try await ServiceGroup(configuration: group).run()
        } catch let error as ValidationError {
            throw error
        } catch {
            throw fail(error)
        }
    }

    /// The file's configuration with the flags applied, or one from the flags alone (then the
    /// CSV is the data, in memory).
    private func loadConfiguration() throws -> (EdgeConfiguration, Dataset?) {
        if let reader = try options.reader() {
            var configuration = try EdgeConfiguration(reader: reader)
            try reader.finish()
            if let coordinator { configuration.coordinator = try Endpoint(parsing: coordinator) }
            if let ca { configuration.tls.ca = ca }
            if let cert { configuration.tls.certificate = cert }
            if let key { configuration.tls.key = key }
            if let state { configuration.stateDirectory = state }
            if let serverName { configuration.serverName = serverName }
            if let data { configuration.feedback.imports.append(data) }
            return (try configuration.validated(), nil)
        }
        guard let coordinator, let ca, let cert, let key, let state, let data else {
            throw ValidationError("without --config, --coordinator, --ca, --cert, --key, --state and --data are required")
        }
        let dataset = try CSVLoader.load(path: data)
        let classes = Int(dataset.labels.max() ?? 0) + 1
        let configuration = EdgeConfiguration(
            coordinator: try Endpoint(parsing: coordinator), tls: .init(ca: ca, certificate: cert, key: key), stateDirectory: state,
            feedback: .init(featureCount: dataset.featureCount, classCount: classes), serverName: serverName)
        return (try configuration.validated(), dataset)
    }
}
