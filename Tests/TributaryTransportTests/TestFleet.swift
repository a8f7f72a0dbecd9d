import Foundation
import Logging
import NIOCore
import TributaryCertificates
import TributaryCoordinatorTransport
import TributaryEdgeTransport
import TributaryTransport
import TributaryWire
import X509

/// A fleet minted in a temp directory: CA, a server certificate for 127.0.0.1/localhost, and
/// client certificates on demand. Nothing is checked in.
struct TestFleet {
    let directory: String
    let ca: FleetCA
    let serverCertificatePath: String
    let serverKeyPath: String
    var caPath: String { directory + "/ca.pem" }
    var denyListPath: String { directory + "/revoked.txt" }

    init(name: String = "test", caIssuedAt: Date = Date().addingTimeInterval(-400 * 86_400)) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-transport-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var rng = SystemRandomNumberGenerator()
        ca = try FleetCA.create(configuration: try FleetCAConfiguration(name: name, validityDays: 3650), now: caIssuedAt, generator: &rng)
        try ca.certificate.serializeAsPEM().pemString.write(toFile: directory + "/ca.pem", atomically: true, encoding: .utf8)
        let server = try ca.issueServer(names: [try ServerName("localhost")], addresses: [try IPAddress("127.0.0.1")],
                                        configuration: try LeafCertificateConfiguration(validityDays: 30), now: Date(), generator: &rng)
        serverCertificatePath = directory + "/server.pem"
        serverKeyPath = directory + "/server-key.pem"
        try server.certificatePEM().write(toFile: serverCertificatePath, atomically: true, encoding: .utf8)
        try server.privateKeyPEM().write(toFile: serverKeyPath, atomically: true, encoding: .utf8)
        try "# nobody revoked yet\n".write(toFile: directory + "/revoked.txt", atomically: true, encoding: .utf8)
    }

    func client(_ id: String, issuedAt: Date = Date(), days: Int = 30) throws -> IssuedCertificate {
        var rng = SystemRandomNumberGenerator()
        return try ca.issueClient(try ClientID(id), configuration: try LeafCertificateConfiguration(validityDays: days),
                                  now: issuedAt, generator: &rng)
    }

    func serverConfiguration(denyList: Bool = true) async throws -> CoordinatorTransportConfiguration {
        let credentials = try await FleetCredentials.load(certificate: serverCertificatePath, key: serverKeyPath,
                                                          trustRoot: caPath, role: .server, now: Date())
        var configuration = try CoordinatorTransportConfiguration.mutualTLS(credentials: credentials,
                                                                            denyListPath: denyList ? denyListPath : nil)
        configuration.globalModelVersion = 3
        configuration.handshakeTimeout = Self.handshakeTimeout
        configuration.session.handshakeTimeout = Self.handshakeTimeout
        return configuration
    }

    func edgeConfiguration(_ issued: IssuedCertificate?, trustRoot: Certificate? = nil) throws -> EdgeTransportConfiguration {
        var configuration = try EdgeTransportConfiguration.mutualTLS(chain: issued.map { [$0.certificate] } ?? [], key: issued?.privateKey,
                                                                     trustRoot: trustRoot ?? ca.certificate, serverHostname: "127.0.0.1")
        configuration.session.handshakeTimeout = Self.handshakeTimeout
        return configuration
    }

    /// How long either side waits for the other's opening frame (Welcome, Hello). The default,
    /// 10 s, is a production deadline; on a CI machine at load average 9 the shared event loops
    /// (every test of the process uses `MultiThreadedEventLoopGroup.singleton`, 2 threads here,
    /// busy encrypting other tests' models) delayed a Welcome past it. A test that is not about
    /// this deadline gives it only a hang-detector's role.
    static let handshakeTimeout: Duration = .seconds(120)

    func revoke(_ id: String) throws {
        let existing = (try? String(contentsOfFile: denyListPath, encoding: .utf8)) ?? ""
        try (existing + "client \(id)\n").write(toFile: denyListPath, atomically: true, encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}

enum Samples {
    static func hello(_ id: String, version: UInt32 = WireProtocol.version) -> Hello {
        Hello(protocolVersion: version, clientID: id,
              device: DeviceFacts(examplesAvailable: 10, charging: true, meteredNetwork: false, modelVersion: 0))
    }

    static func parameters(count: Int, value: Float = 0.5) -> ParameterSet {
        try! ParameterSet([try! NamedTensor(name: "dense1.weight", tensor: Tensor([Float](repeating: value, count: count)))])
    }

    static func offer(round: UInt64 = 1, count: Int = 16) -> RoundOffer {
        RoundOffer(roundID: round, baseModelVersion: 3, model: .full(parameters(count: count)),
                   plan: TrainingPlanMessage(epochs: 1, batchSize: 8, learningRate: 0.05,
                                      deadlineUnixMilliseconds: Int64(Date().timeIntervalSince1970 * 1000) + 60_000))
    }

    static func update(round: UInt64 = 1, count: Int = 16) -> Update {
        Update(roundID: round, baseModelVersion: 3, numExamples: 10, delta: parameters(count: count, value: 0.25),
               metrics: ["train.loss": 0.5])
    }

    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
}

/// A running coordinator whose handler offers one round and collects the Update.
final class RunningServer: Sendable {
    let server: CoordinatorServer
    let task: Task<Void, any Error>
    let updates: AsyncStream<(String, Update)>
    var port: Int { server.localAddress.port! }

    init(configuration: CoordinatorTransportConfiguration, offerCount: Int = 16, metrics: TransportMetrics = TransportMetrics()) async throws {
        server = try await CoordinatorServer.bind(host: "127.0.0.1", port: 0, configuration: configuration, metrics: metrics,
                                                  logger: Samples.logger)
        let (updates, sink) = AsyncStream.makeStream(of: (String, Update).self)
        self.updates = updates
        let server = self.server
        task = Task {
            try await server.run { client in
                try await client.connection.send(.roundOffer(Samples.offer(count: offerCount)))
                while let message = try await client.connection.next() {
                    if case .update(let update) = message {
                        sink.yield((client.clientID, update))
                        try await client.connection.send(.goodbye(Goodbye(reason: .done)))
                    }
                }
            }
        }
    }

    /// The next refusal the server reported (nil after 120 s: only a hang ends the wait).
    func nextRefusal() async -> TransportError? {
        let refusals = server.refusals
        return await within(seconds: 120) {
            for await refusal in refusals { return refusal }
            return nil
        }
    }

    /// The next Update the server received (nil after 120 s: only a hang ends the wait).
    func nextUpdate() async -> (String, Update)? {
        let updates = self.updates
        return await within(seconds: 120) {
            for await update in updates { return update }
            return nil
        }
    }

    func stop() async {
        task.cancel()
        await server.close()
        _ = try? await task.value
    }
}

/// `body`'s result, or nil when it takes longer than `seconds`.
func within<T: Sendable>(seconds: Double, _ body: @escaping @Sendable () async -> T?) async -> T? {
    await withTaskGroup(of: T?.self) { group in
        group.addTask { await body() }
        group.addTask {
            try? await Task.sleep(for: .seconds(seconds))
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}
