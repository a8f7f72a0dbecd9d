// Model transfer over loopback mutual TLS 1.3, end to end: the coordinator encodes a
// RoundOffer with an N-float model, chunks and sends it; the edge receives, reassembles,
// decodes it into tensors and answers a small Update. Reported per payload size: the median
// MB/s of payload bytes over that round trip, and wire bytes per payload byte (framing +
// chunking exactly, plus the TLS 1.3 record overhead of 22 bytes per 16 KiB record).
// Handshake: TCP connect + TLS 1.3 handshake with both certificates + the coordinator's
// certificate check + Welcome, median of many connections.
//
//   swift run -c release TributaryTransportBench [--sizes 4,64] [--repeats 5] [--connections 50]
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import TributaryCertificates
import TributaryCoordinatorTransport
import TributaryEdgeTransport
import TributaryTransport
import TributaryWire
import X509

var sizesMB = [4, 64]
var repeats = 5
var connections = 50
/// The coordinator's write piece size (CoordinatorTransportConfiguration.writeBytes); nil: its default.
var writeBytes: Int?
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--sizes": sizesMB = arguments.next()!.split(separator: ",").map { Int($0)! }
    case "--repeats": repeats = Int(arguments.next()!)!
    case "--connections": connections = Int(arguments.next()!)!
    case "--write-bytes": writeBytes = Int(arguments.next()!)!
    default: fatalError("unknown argument \(argument); use --sizes 4,64 --repeats 5 --connections 50 [--write-bytes 16384]")
    }
}

try await benchmark(sizesMB: sizesMB, repeats: repeats, connections: connections, writeBytes: writeBytes)

/// SplitMix64, seeded: the model is built in user space. `SystemRandomNumberGenerator` made one
/// `getrandom` system call per float, which was most of the process's sys time.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func model(floats: Int) -> ParameterSet {
    var generator = SplitMix64(state: 7)
    let scalars = (0..<floats).map { _ in Float.random(in: -1..<1, using: &generator) }
    return try! ParameterSet([try! NamedTensor(name: "dense1.weight", tensor: Tensor(shape: [floats], scalars: scalars))])
}

func offer(round: UInt64, model: ParameterSet) -> RoundOffer {
    RoundOffer(roundID: round, baseModelVersion: 1, model: .full(model),
               plan: TrainingPlanMessage(epochs: 1, batchSize: 32, learningRate: 0.01, deadlineUnixMilliseconds: Int64.max))
}


/// The coordinator offers `rounds` rounds of `payload` to each client and records each round trip.
final class Recorder: Sendable {
    private let seconds = NIOLockedValueBox<[Double]>([])
    func add(_ value: Double) { seconds.withLockedValue { $0.append(value) } }
    func take() -> [Double] { seconds.withLockedValue { held in let taken = held; held = []; return taken } }
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }


func benchmark(sizesMB: [Int], repeats: Int, connections: Int, writeBytes: Int?) async throws {
    let tinyDelta = try ParameterSet([try NamedTensor(name: "dense1.weight", tensor: Tensor([0.5]))])
    let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-bench-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    var rng = SystemRandomNumberGenerator()
    let ca = try FleetCA.create(configuration: try FleetCAConfiguration(name: "bench"), now: Date(), generator: &rng)
    let server = try ca.issueServer(names: [try ServerName("localhost")], addresses: [try IPAddress("127.0.0.1")],
                                    configuration: try LeafCertificateConfiguration(), now: Date(), generator: &rng)
    let client = try ca.issueClient(try ClientID("bench-edge"), configuration: try LeafCertificateConfiguration(), now: Date(), generator: &rng)
    try ca.certificate.serializeAsPEM().pemString.write(toFile: directory + "/ca.pem", atomically: true, encoding: .utf8)
    try server.certificatePEM().write(toFile: directory + "/server.pem", atomically: true, encoding: .utf8)
    try server.privateKeyPEM().write(toFile: directory + "/server-key.pem", atomically: true, encoding: .utf8)

    let credentials = try await FleetCredentials.load(certificate: directory + "/server.pem", key: directory + "/server-key.pem",
                                                      trustRoot: directory + "/ca.pem", role: .server, now: Date())
    var serverConfiguration = try CoordinatorTransportConfiguration.mutualTLS(credentials: credentials)
    serverConfiguration.globalModelVersion = 1
    if let writeBytes { serverConfiguration.writeBytes = writeBytes }
    let edgeConfiguration = try EdgeTransportConfiguration.mutualTLS(chain: [client.certificate], key: client.privateKey,
                                                                     trustRoot: ca.certificate, serverHostname: "127.0.0.1")

    print("Tributary transport benchmark: loopback, mutual TLS 1.3, one connection, \(ProcessInfo.processInfo.activeProcessorCount) cores")
    for megabytes in sizesMB {
        let floats = megabytes * 1024 * 1024 / 4
        let payload = model(floats: floats)
        let recorder = Recorder()
        let rounds = UInt64(repeats + 1)
        let coordinator = try await CoordinatorServer.bind(host: "127.0.0.1", port: 0, configuration: serverConfiguration, logger: logger)
        let serverTask = Task {
            try await coordinator.run { client in
                for round in 1...rounds {
                    let start = ContinuousClock.now
                    try await client.connection.send(.roundOffer(offer(round: round, model: payload)))
                    while let message = try await client.connection.next() {
                        if case .update = message { break }
                    }
                    if round > 1 { recorder.add(start.duration(to: .now).seconds) }  // round 1 warms up
                }
                try await client.connection.send(.goodbye(Goodbye(reason: .done)))
                while (try? await client.connection.next()) != nil {}
            }
        }
        try await EdgeClient.withSession(host: "127.0.0.1", port: coordinator.localAddress.port!, hello: Hello(clientID: "bench-edge",
                                         device: DeviceFacts(examplesAvailable: 1, charging: true, meteredNetwork: false, modelVersion: 0)),
                                         configuration: edgeConfiguration, logger: logger) { _, connection in
            while let message = try await connection.next() {
                guard case .roundOffer(let offer) = message, case .full(let parameters) = offer.model else { continue }
                precondition(parameters.scalarCount == floats)
                try await connection.send(.update(Update(roundID: offer.roundID, baseModelVersion: 1, numExamples: 1, delta: tinyDelta)))
            }
        }
        await coordinator.close()
        serverTask.cancel()
        _ = try? await serverTask.value

        let times = recorder.take()
        let payloadBytes = Double(floats * 4)
        let frames = try FrameCodec.encodeChunked(.roundOffer(offer(round: 1, model: payload)), transferID: 1)
        let framed = Double(frames.reduce(0) { $0 + $1.count })
        let tlsRecords = (framed / 16_384).rounded(.up)
        let wire = (framed + tlsRecords * 22) / payloadBytes
        print(String(format: "%3d MB model: %7.0f MB/s (median of %d, best %.0f)   wire bytes per payload byte: %.6f framed, %.6f with TLS records",
                     megabytes, payloadBytes / median(times) / 1e6, times.count, payloadBytes / (times.min() ?? 1) / 1e6,
                     framed / payloadBytes, wire))
    }

    // Handshake: connect + TLS 1.3 (both certificates, coordinator's FleetPeerVerifier) + Welcome.
    let coordinator = try await CoordinatorServer.bind(host: "127.0.0.1", port: 0, configuration: serverConfiguration, logger: logger)
    let serverTask = Task {
        try await coordinator.run { client in
            while (try? await client.connection.next()) != nil {}
        }
    }
    var handshakes: [Double] = []
    for _ in 0..<(connections + 3) {
        let start = ContinuousClock.now
        let elapsed = try await EdgeClient.withSession(host: "127.0.0.1", port: coordinator.localAddress.port!, hello: Hello(clientID: "bench-edge",
                                                       device: DeviceFacts(examplesAvailable: 1, charging: true, meteredNetwork: false, modelVersion: 0)),
                                                       configuration: edgeConfiguration, logger: logger) { _, connection in
            let elapsed = start.duration(to: .now).seconds
            try await connection.send(.goodbye(Goodbye(reason: .done)))
            return elapsed
        }
        handshakes.append(elapsed)
    }
    handshakes.removeFirst(3)
    print(String(format: "handshake (connect + mTLS 1.3 + certificate check + Welcome): median %.2f ms, p90 %.2f ms over %d connections",
                 median(handshakes) * 1000, handshakes.sorted()[handshakes.count * 9 / 10] * 1000, handshakes.count))
    await coordinator.close()
    serverTask.cancel()
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
