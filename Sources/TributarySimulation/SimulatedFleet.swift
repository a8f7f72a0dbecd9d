import Foundation
import Logging
import NIOConcurrencyHelpers
import TributaryCertificates
import TributaryEdge
import TributaryEdgeTransport
import TributaryLearning
import TributaryTransport

/// The simulation's edge agents: each with its own certificate, state directory and in-memory
/// share of the data, running as tasks of this process and connecting over loopback mTLS.
final class SimulatedFleet: Sendable {
    struct Client: Sendable {
        var id: String
        var data: InMemoryDataSource
        var transport: EdgeTransportConfiguration
        var configuration: EdgeConfiguration
        var agent: EdgeAgent
        var task: Task<Void, Never>
    }

    /// Started, restarted and read from the simulation's tasks.
    private let clients = NIOLockedValueBox<[Client]>([])
    private let faults: @Sendable (Int) -> EdgeFaults
    private let logger: Logger

    /// - Parameter faults: the fault injection of client `index`.
    init(faults: @escaping @Sendable (Int) -> EdgeFaults, logger: Logger) {
        self.faults = faults
        self.logger = logger
    }

    /// Issues the fleet's certificates (a CA, the coordinator's for `localhost`, one per client)
    /// into `directory`.
    static func issueCertificates(in directory: String, clients: Int) throws -> (server: IssuedFiles, clients: [IssuedFiles]) {
        let fleet = FleetDirectory(path: directory)
        let now = Date()
        _ = try fleet.initialize(configuration: try FleetCAConfiguration(name: "simulation", validityDays: 30), now: now, force: true)
        let leaf = try LeafCertificateConfiguration(validityDays: 30)
        let server = try fleet.issueServer(names: [try ServerName("localhost")], addresses: [try IPAddress("127.0.0.1")],
                                           configuration: leaf, force: true, now: now)
        let issued = try (0..<clients).map { index in
            try fleet.issueClient(try ClientID(clientName(index)), configuration: leaf, force: true, now: now)
        }
        return (server, issued)
    }

    static func clientName(_ index: Int) -> String { String(format: "sim-%04d", index) }

    /// Starts client `index` with `data` against the coordinator at `port`.
    func start(index: Int, files: IssuedFiles, ca: String, port: Int, stateDirectory: String, data: Dataset, classCount: Int,
               replay: ReplayConfiguration, seed: UInt64,
               onEvent: @escaping @Sendable (Int, EdgeEvent) -> Void) async throws {
        var configuration = EdgeConfiguration(
            coordinator: Endpoint(host: "127.0.0.1", port: port),
            tls: .init(ca: ca, certificate: files.certificatePath, key: files.keyPath),
            stateDirectory: stateDirectory,
            feedback: .init(featureCount: data.featureCount, classCount: classCount),
            serverName: "localhost",
            reconnect: .init(initial: .milliseconds(50), maximum: .seconds(1), multiplier: 2, jitter: 0.2),
            seed: seed)
        configuration.context.onlyNew = false
        configuration.context.replay = replay
        let credentials = try await FleetCredentials.load(certificate: files.certificatePath, key: files.keyPath, trustRoot: ca,
                                                          role: .client, now: Date())
        let transport = try EdgeAgent.transport(for: configuration, credentials: credentials)
        let source = InMemoryDataSource(data)
        try launch(index: index, id: Self.clientName(index), data: source, transport: transport, configuration: configuration,
                   onEvent: onEvent)
    }

    private func launch(index: Int, id: String, data: InMemoryDataSource, transport: EdgeTransportConfiguration,
                        configuration: EdgeConfiguration, onEvent: @escaping @Sendable (Int, EdgeEvent) -> Void) throws {
        let agent = try EdgeAgent(configuration: configuration, clientID: id, transport: transport, data: data, faults: faults(index),
                                  logger: logger, onEvent: { onEvent(index, $0) })
        let logger = self.logger
        let task = Task {
            do {
                try await agent.run()
            } catch {
                logger.error("simulated edge stopped", metadata: ["client.id": "\(id)", "reason": "\(error)"])
            }
        }
        let client = Client(id: id, data: data, transport: transport, configuration: configuration, agent: agent, task: task)
        clients.withLockedValue { clients in
            if index < clients.count { clients[index] = client } else { clients.append(client) }
        }
    }

    var count: Int { clients.withLockedValue { $0.count } }

    /// Hands client `index` a new share of data (a new task) and tells the coordinator its facts.
    func replaceData(index: Int, with data: Dataset) async {
        let client = clients.withLockedValue { $0[index] }
        client.data.replace(with: data)
        await client.agent.announce(trigger: "new_task")
    }

    /// Hands every client its share of a new task (`data(index)`), one after the other.
    func replaceData(with data: (Int) -> Dataset) async {
        for index in 0..<count { await replaceData(index: index, with: data(index)) }
    }

    /// Stops client `index`'s agent and starts a new one on the same state directory and data:
    /// it resumes from its checkpoint, as a restarted device would.
    func restart(index: Int, onEvent: @escaping @Sendable (Int, EdgeEvent) -> Void) async throws {
        let client = clients.withLockedValue { $0[index] }
        client.agent.stop()
        await client.task.value
        try launch(index: index, id: client.id, data: client.data, transport: client.transport, configuration: client.configuration,
                   onEvent: onEvent)
    }

    /// Stops every agent (Goodbye{SHUTDOWN}) and waits for them.
    func stopAll() async {
        let all = clients.withLockedValue { $0 }
        for client in all { client.agent.stop() }
        for client in all { await client.task.value }
    }
}
