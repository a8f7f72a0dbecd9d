import Foundation
import Logging
import TributaryCertificates
import TributaryCLI
import TributaryCoordinator
import TributaryEdge
import TributaryEdgeTransport
import TributaryLearning
import TributaryModelWire
import TributaryTransport
import TributaryWire

// Coordinator benchmark: a real `tributary coordinator serve` process, and N simulated edge
// sessions over real loopback mutual TLS 1.3 in this process.
//
//   swift build -c release --product tributary && swift build -c release --product TributaryCoordinatorBench
//   .build/release/TributaryCoordinatorBench [--clients 10,100,1000] [--hidden 1536] [--train-rounds 5]
//
// (a) RSS of the coordinator process (VmRSS, and VmHWM after one round in which every client
//     sends a synthetic Update of the model's size) with N connected clients;
// (b) with --train-rounds R: 10 edges training on ~125 digits each (1 local epoch) for R rounds,
//     and the median round wall time (offer → commit) the coordinator reports.

/// One line to stdout, unbuffered (the bench runs for minutes).
func report(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

let arguments = CommandLine.arguments
func option(_ name: String, _ fallback: String) -> String {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return fallback }
    return arguments[index + 1]
}
let clientCounts = option("--clients", "10,100,1000").split(separator: ",").compactMap { Int($0) }
let hidden = Int(option("--hidden", "1536"))!
let trainRounds = Int(option("--train-rounds", "5"))!
/// The model version simulated clients say they hold (1: the initial model, so no release is sent at connect).
let helloVersion = UInt64(option("--hello-version", "0"))!
/// Extra keys of the coordinator's `transfers:` section, e.g. "read_bytes: 8192, write_bytes: 16384".
let transfers = option("--transfers", "")
let binary = option("--tributary", URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tributary").path)

let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-coordinator-bench-\(UUID().uuidString)").path
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: directory) }

var rng = SystemRandomNumberGenerator()
let ca = try FleetCA.create(configuration: try FleetCAConfiguration(name: "bench", validityDays: 30), now: Date().addingTimeInterval(-3600), generator: &rng)
try ca.certificate.serializeAsPEM().pemString.write(toFile: directory + "/ca.pem", atomically: true, encoding: .utf8)
let server = try ca.issueServer(names: [try ServerName("localhost")], addresses: [try IPAddress("127.0.0.1")],
                                configuration: try LeafCertificateConfiguration(validityDays: 30), now: Date().addingTimeInterval(-60), generator: &rng)
try server.certificatePEM().write(toFile: directory + "/server.pem", atomically: true, encoding: .utf8)
try server.privateKeyPEM().write(toFile: directory + "/server-key.pem", atomically: true, encoding: .utf8)

let spec = try ModelSpec.mlp(input: 64, hidden: [hidden], outputs: 10)
let parameterCount = spec.parameterLayout.totalCount
try CheckpointStore.save(try Checkpoint.fresh(spec: spec, seed: 3, plan: TrainingPlan(epochs: 1, batchSize: 16, learningRate: 0.05, ewc: EWCConfiguration(lambda: 1))),
                         to: directory + "/global.ckpt")
report("model: 64-\(hidden)-10 MLP, \(parameterCount) parameters (\(parameterCount * 4 / 1024) KiB as Float32)")

/// Clients' transport configurations, minted once (issuing is the slow part of a client).
func transports(_ count: Int) throws -> [EdgeTransportConfiguration] {
    try (0..<count).map { k in
        var rng = SystemRandomNumberGenerator()
        let issued = try ca.issueClient(try ClientID("bench-\(k)"), configuration: try LeafCertificateConfiguration(validityDays: 30),
                                        now: Date().addingTimeInterval(-60), generator: &rng)
        return try EdgeTransportConfiguration.mutualTLS(chain: [issued.certificate], key: issued.privateKey, trustRoot: ca.certificate, serverHostname: "127.0.0.1")
    }
}

func memory(of pid: Int32) -> (rss: Int, peak: Int, anonymous: Int) {
    let text = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
    func field(_ name: String) -> Int {
        text.split(separator: "\n").first { $0.hasPrefix(name) }.flatMap { Int($0.split(separator: " ").dropFirst().first { !$0.isEmpty }?.filter(\.isNumber) ?? "") } ?? 0
    }
    return (field("VmRSS:") / 1024, field("VmHWM:") / 1024, field("RssAnon:") / 1024)
}

struct Running {
    let process: Process
    let lines: Pipe
    let port: Int
    let admin: Endpoint
}

func startCoordinator(name: String, target: Int, trigger: String) throws -> Running {
    let registry = directory + "/registry-\(name)"
    let yaml = """
        listen: 127.0.0.1:0
        tls: {certificate: server.pem, key: server-key.pem, ca: ca.pem, heartbeat: 30s, idle_timeout: 300s, max_connections_per_address: 100000}
        registry: {directory: \(registry)}
        model: {initial_checkpoint: global.ckpt}
        rounds: {trigger: \(trigger), ready_clients: \(target), target_updates: \(target), quorum: \(target), over_selection: 1, collect_timeout: 600s}
        evaluation: {client_metrics: false}
        transfers: {\(transfers)}
        admin: {listen: 127.0.0.1:0}
        """
    try yaml.write(toFile: directory + "/\(name).yaml", atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = ["coordinator", "serve", "--config", directory + "/\(name).yaml"]
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try process.run()
    measured = process
    var text = ""
    while !text.contains("listening on") {
        let data = out.fileHandleForReading.availableData
        guard !data.isEmpty else { fatalError("coordinator exited: \(text)") }
        text += String(decoding: data, as: UTF8.self)
    }
    let line = text.split(separator: "\n").first { $0.contains("listening on") }!
    let port = Int(line.split(separator: " ").first { $0.hasPrefix("127.0.0.1:") }!.split(separator: ":")[1])!
    let admin = try Endpoint(parsing: String(line.split(separator: " ").last!))
    return Running(process: process, lines: out, port: port, admin: admin)
}

/// A simulated edge: answers an offer with `answer` (synthetic or trained), then idles until Goodbye.
func session(_ id: String, port: Int, transport: EdgeTransportConfiguration, examples: Int,
             answer: @escaping @Sendable (RoundOffer) throws -> Update) async throws {
    let hello = Hello(clientID: id, device: DeviceFacts(examplesAvailable: UInt64(examples), charging: true, meteredNetwork: false, modelVersion: helloVersion))
    var logger = Logger(label: "bench-edge")
    logger.logLevel = .error
    try await EdgeClient.withSession(host: "127.0.0.1", port: port, hello: hello, configuration: transport, logger: logger) { _, connection in
        while let message = try await connection.next() {
            if case .roundOffer(let offer) = message {
                let update = try answer(offer)
                try await connection.send(.update(update))
            }
        }
    }
}

/// The coordinator being measured, terminated when the bench gives up.
nonisolated(unsafe) var measured: Process?

/// One admin request from this (blocking) top-level code: the async client on a detached task.
func adminRequest(_ method: String, _ path: String, at admin: Endpoint) throws -> AdminClient.Answer {
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var result: Result<AdminClient.Answer, any Error>?
    Task.detached {
        do { result = .success(try await AdminClient.request(method, path, at: admin)) } catch { result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try result!.get()
}
func status(_ admin: Endpoint) -> String { (try? adminRequest("GET", "/v1/status", at: admin).body) ?? "" }
func waitUntil(_ what: String, seconds: Double = 600, _ check: () -> Bool) {
    let deadline = Date().addingTimeInterval(seconds)
    while !check() {
        guard Date() < deadline else {
            measured?.terminate()
            fatalError("timed out waiting for \(what)")
        }
        Thread.sleep(forTimeInterval: 0.2)
    }
}

// (a) RSS with N connected clients, and peak RSS after a round in which all N send an Update.
var synthetic = SeededGenerator(seed: 42)
let layout = spec.parameterLayout
let delta = try LearningWire.parameterSet((0..<parameterCount).map { _ in 0.001 * synthetic.nextGaussian() }, layout: layout)
let fisher = try LearningWire.parameterSet([Float](repeating: 0.01, count: parameterCount), layout: layout)
let allTransports = try transports(clientCounts.max() ?? 0)
for count in clientCounts {
    let running = try startCoordinator(name: "rss-\(count)", target: count, trigger: "manual")
    let idle = memory(of: running.process.processIdentifier)
    // Detached: this top-level code blocks the main thread while it waits.
    let tasks = (0..<count).map { k in
        Task.detached {
            try? await session("bench-\(k)", port: running.port, transport: allTransports[k], examples: 100) { offer in
                Update(roundID: offer.roundID, baseModelVersion: offer.baseModelVersion, numExamples: 100, delta: delta, fisher: fisher, metrics: [:])
            }
        }
    }
    waitUntil("\(count) clients") { status(running.admin).contains("\"population\":\(count),") }
    Thread.sleep(forTimeInterval: 1)
    let connected = memory(of: running.process.processIdentifier)
    // GET /metrics (the Prometheus text) with every client connected: 21 scrapes, median and slowest.
    var scrapes: [Double] = [], exposition = 0
    for _ in 0..<21 {
        let begun = Date()
        exposition = (try? adminRequest("GET", "/metrics", at: running.admin).body.utf8.count) ?? 0
        scrapes.append(Date().timeIntervalSince(begun) * 1000)
    }
    scrapes.sort()
    report(String(format: "clients %5d: GET /metrics median %.2f ms, slowest %.2f ms of 21 scrapes, %d bytes", count, scrapes[10], scrapes[20], exposition))
    let started = Date()
    _ = try adminRequest("POST", "/v1/rounds", at: running.admin)
    waitUntil("the round with \(count) updates") { status(running.admin).contains("\"rounds_ended\":1") }
    let roundSeconds = Date().timeIntervalSince(started)
    let after = memory(of: running.process.processIdentifier)
    report(String(format: "clients %5d: coordinator RSS %4d MB before any client, %4d MB connected, %4d MB after a round of %d updates (peak %4d MB), round %.1f s",
                 count, idle.rss, connected.rss, after.rss, count, after.peak, roundSeconds))
    report(String(format: "               of which anonymous (private) %4d MB before any client, %4d MB connected, %4d MB after the round; the rest is code pages",
                 idle.anonymous, connected.anonymous, after.anonymous))
    running.process.terminate()
    running.process.waitUntilExit()
    for task in tasks { task.cancel() }
}

// (b) Round wall time: 10 edges training on ~125 digits each, 1 local epoch.
if trainRounds > 0 {
    let digits = try CSVLoader.load(path: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("data/digits.csv").path)
    let shares = (0..<10).map { k in digits.subset(stride(from: k, to: 1250, by: 10)) }
    let running = try startCoordinator(name: "train", target: 10, trigger: "ready_clients")
    let tasks = (0..<10).map { k in
        Task.detached {
            try? await session("bench-\(k)", port: running.port, transport: allTransports.count > k ? allTransports[k] : try transports(k + 1)[k],
                               examples: shares[k].count) { offer in
                try EdgeTrainer(local: nil, data: shares[k], seed: UInt64(k)).answer(offer).update
            }
        }
    }
    var seen = ""
    waitUntil("\(trainRounds) trained rounds", seconds: 1200) {
        seen += String(decoding: running.lines.fileHandleForReading.availableData, as: UTF8.self)
        return seen.components(separatedBy: "\n").filter { $0.contains(" closed: ") }.count >= trainRounds
    }
    let times = seen.components(separatedBy: "\n").filter { $0.contains(" closed: ") }.compactMap { line -> Double? in
        line.split(separator: " ").last.flatMap { Double($0.dropLast()) }
    }.sorted()
    for line in seen.components(separatedBy: "\n") where line.contains(" closed: ") { report(line) }
    report(String(format: "round wall time, 10 edges, %d parameters, ~125 examples each, 1 epoch: median %.2f s over %d rounds",
                 parameterCount, times[times.count / 2], times.count))
    report("coordinator RSS \(memory(of: running.process.processIdentifier).rss) MB (peak \(memory(of: running.process.processIdentifier).peak) MB)")
    running.process.terminate()
    running.process.waitUntilExit()
    for task in tasks { task.cancel() }
}

// Simulated sessions may still be tearing down; the measurements are done.
try? FileManager.default.removeItem(atPath: directory)
exit(0)
