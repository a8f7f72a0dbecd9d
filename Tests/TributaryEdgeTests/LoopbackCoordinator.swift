import Foundation
import Logging
import TributaryCertificates
import TributaryCoordinatorTransport
import TributaryEdge
import TributaryEdgeTransport
import TributaryLearning
import TributaryModelWire
import TributaryTransport
import TributaryWire
import X509

/// A fleet minted in a temp directory (nothing checked in) and a coordinator on 127.0.0.1 that
/// records every message an edge sends and answers with a script.
struct EdgeTestFleet {
    let directory: String
    let ca: FleetCA

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-edge-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var rng = SystemRandomNumberGenerator()
        ca = try FleetCA.create(configuration: try FleetCAConfiguration(name: "edge-test", validityDays: 3650),
                                now: Date().addingTimeInterval(-86_400), generator: &rng)
        try ca.certificate.serializeAsPEM().pemString.write(toFile: directory + "/ca.pem", atomically: true, encoding: .utf8)
        let server = try ca.issueServer(names: [try ServerName("localhost")], addresses: [try IPAddress("127.0.0.1")],
                                        configuration: try LeafCertificateConfiguration(validityDays: 30), now: Date(), generator: &rng)
        try server.certificatePEM().write(toFile: directory + "/server.pem", atomically: true, encoding: .utf8)
        try server.privateKeyPEM().write(toFile: directory + "/server-key.pem", atomically: true, encoding: .utf8)
    }

    func serverConfiguration(version: UInt64) async throws -> CoordinatorTransportConfiguration {
        let credentials = try await FleetCredentials.load(certificate: directory + "/server.pem", key: directory + "/server-key.pem",
                                                          trustRoot: directory + "/ca.pem", role: .server, now: Date())
        var configuration = try CoordinatorTransportConfiguration.mutualTLS(credentials: credentials)
        configuration.globalModelVersion = version
        configuration.handshakeTimeout = Self.handshakeTimeout
        configuration.session.handshakeTimeout = Self.handshakeTimeout
        return configuration
    }

    func edgeTransport(_ id: String) throws -> EdgeTransportConfiguration {
        var rng = SystemRandomNumberGenerator()
        let issued = try ca.issueClient(try ClientID(id), configuration: try LeafCertificateConfiguration(validityDays: 30),
                                        now: Date(), generator: &rng)
        var configuration = try EdgeTransportConfiguration.mutualTLS(chain: [issued.certificate], key: issued.privateKey, trustRoot: ca.certificate,
                                                                     serverHostname: "127.0.0.1")
        configuration.session.handshakeTimeout = Self.handshakeTimeout
        return configuration
    }

    /// Both sides' handshake deadlines: every test of the process shares two event-loop threads,
    /// which at load average 9 can hold a handshake past the production 10 s.
    static let handshakeTimeout: Duration = .seconds(120)

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}

/// Messages in arrival order, from any task.
final class Recorded<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [T] = []

    func append(_ item: T) { lock.withLock { items.append(item) } }
    var all: [T] { lock.withLock { items } }

    /// Waits (polling) until `condition` holds on the items; false after `seconds` (a guard
    /// against a hang, not a timing assertion).
    func wait(seconds: Double = 120, until condition: ([T]) -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition(all) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition(all)
    }
}

/// A coordinator on 127.0.0.1:0 that runs `script` for each client session and records what
/// each client sent (its Hello first).
final class LoopbackCoordinator: Sendable {
    let server: CoordinatorServer
    let task: Task<Void, any Error>
    let received = Recorded<WireMessage>()
    let sessions = Recorded<String>()
    var port: Int { server.localAddress.port! }

    init(configuration: CoordinatorTransportConfiguration,
         script: @escaping @Sendable (_ session: Int, _ client: CoordinatorClient, _ record: @Sendable (WireMessage) -> Void) async throws -> Void) async throws {
        server = try await CoordinatorServer.bind(host: "127.0.0.1", port: 0, configuration: configuration,
                                                  logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let received = self.received, sessions = self.sessions, server = self.server
        task = Task {
            try await server.run { client in
                sessions.append(client.clientID)
                received.append(.hello(client.hello))
                try await script(sessions.all.count, client, { received.append($0) })
            }
        }
    }

    func stop() async {
        task.cancel()
        await server.close()
        _ = try? await task.value
    }
}

enum EdgeSamples {
    static let spec = try! ModelSpec.mlp(input: 4, hidden: [6], outputs: 2)

    /// Seeded Gaussian examples (values that cannot appear in a message by chance).
    static func data(count: Int, seed: UInt64) -> Dataset {
        var generator = SeededGenerator(seed: seed)
        var data = Dataset(featureCount: 4)
        for _ in 0..<count {
            let x = (0..<4).map { _ in generator.nextGaussian() }
            data.append(features: x, label: x[0] > x[1] ? 1 : 0)
        }
        return data
    }

    static func offer(round: UInt64, version: UInt64) throws -> RoundOffer {
        let global = try Checkpoint.fresh(spec: spec, seed: 5)
        return RoundOffer(
            roundID: round, baseModelVersion: version,
            model: .full(try LearningWire.parameterSet(global.parameters, layout: spec.parameterLayout)),
            plan: TrainingPlanMessage(epochs: 2, batchSize: 8, learningRate: 0.1, ewcLambda: 1,
                                             deadlineUnixMilliseconds: Int64(Date().timeIntervalSince1970 * 1000) + 600_000),
            architecture: LearningWire.architecture(spec))
    }

    static func release(version: UInt64, deltaFrom base: UInt64, value: Float) throws -> ModelRelease {
        let delta = [Float](repeating: value, count: spec.parameterLayout.totalCount)
        return ModelRelease(version: version, parentVersion: base,
                            model: .delta(baseVersion: base, delta: try LearningWire.parameterSet(delta, layout: spec.parameterLayout)),
                            architecture: LearningWire.architecture(spec))
    }

    static func configuration(port: Int, state: String) -> EdgeConfiguration {
        var configuration = EdgeConfiguration(
            coordinator: Endpoint(host: "127.0.0.1", port: port), tls: .init(ca: "-", certificate: "-", key: "-"), stateDirectory: state,
            feedback: .init(featureCount: 4, classCount: 2))
        configuration.reconnect = .init(initial: .milliseconds(20), maximum: .milliseconds(200))
        configuration.triggers.checkInterval = .milliseconds(20)
        configuration.triggers.trigger.volumeThreshold = 10
        return configuration
    }
}
