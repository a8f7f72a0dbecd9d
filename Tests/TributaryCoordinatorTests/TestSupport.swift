import Foundation
import Logging
import Testing
import TributaryAggregation
@testable import TributaryCoordinator
import TributaryLearning
import TributaryRounds
import TributaryTransport
import TributaryWire

/// A temp directory with an initial checkpoint and digits data cut into client shares and a
/// held-out set; nothing random is unseeded.
struct TestWorld {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    let directory: String
    let checkpointPath: String
    let heldOutPath: String
    let shares: [Dataset]
    let heldOut: Dataset

    init(clients: Int, hidden: Int = 16, epochs: Int = 1, examplesPerClient: Int = 150) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-coordinator-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let digits = try CSVLoader.load(path: Self.packageRoot.appendingPathComponent("data/digits.csv").path)
        var order = Array(0..<digits.count)
        var generator = SeededGenerator(seed: 11)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, generator.nextInt(below: i + 1)) }
        heldOut = digits.subset(order.prefix(400))
        shares = (0..<clients).map { k in digits.subset(order.dropFirst(400 + k * examplesPerClient).prefix(examplesPerClient)) }
        let spec = try ModelSpec.mlp(input: 64, hidden: [hidden], outputs: 10)
        let plan = TrainingPlan(epochs: epochs, batchSize: 16, learningRate: 0.05, ewc: EWCConfiguration(lambda: 1))
        let checkpoint = try Checkpoint.fresh(spec: spec, seed: 3, plan: plan)
        checkpointPath = directory + "/global.ckpt"
        try CheckpointStore.save(checkpoint, to: checkpointPath)
        heldOutPath = directory + "/held-out.csv"
        try CSVLoader.render(heldOut).write(toFile: heldOutPath, atomically: true, encoding: .utf8)
    }

    func configuration(
        target: Int, overSelection: Double = 1, quorum: Int? = nil, trigger: RoundConfiguration.Trigger? = nil,
        timeout: Duration = .seconds(60), gate: PromotionGate = TestWorld.roundsGate,
        rule: AggregationRule = .fisherWeighted(), tls: CoordinatorConfiguration.TLS? = nil
    ) throws -> CoordinatorConfiguration {
        try CoordinatorConfiguration(
            tls: tls ?? .init(certificate: "unused.pem", key: "unused-key.pem", ca: "unused-ca.pem"),
            registryDirectory: directory + "/registry", initialCheckpoint: checkpointPath,
            listen: Endpoint(host: "127.0.0.1", port: 0),
            rounds: try RoundConfiguration(targetUpdates: target, overSelection: overSelection, quorum: quorum, collectTimeout: timeout,
                                           trigger: trigger ?? .readyClients(target)),
            aggregation: .init(rule: rule),
            evaluation: .init(heldOut: [.init(name: "digits", path: heldOutPath)], gate: gate),
            admin: nil)
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    /// The gate of the tests about rounds: their fake clients send small deltas that learn
    /// nothing, so the chance floor is off here (GateFloorTests test it, with real learning and without).
    static let roundsGate = PromotionGate(maxTaskDrop: 0.05, maxClientAccuracyDrop: 1, chanceMargin: nil)
}

/// Collects events from a coordinator or engine.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [CoordinatorEvent] = []

    func append(_ event: CoordinatorEvent) {
        lock.lock(); defer { lock.unlock() }
        events.append(event)
    }

    var all: [CoordinatorEvent] {
        lock.lock(); defer { lock.unlock() }
        return events
    }

    var lines: [String] { all.map(\.line) }
}

/// A client driven by hand against the engine: its outbox as an iterator.
struct FakeClient {
    let id: String
    let token: UInt64
    var inbox: AsyncStream<WireMessage>.AsyncIterator

    /// - Parameter examples: what its Hello announces (the most its plan then lets it claim):
    ///   by default a ``TestWorld`` share's 150.
    static func connect(_ id: String, to engine: CoordinatorEngine, holding version: UInt64 = 0, examples: UInt64 = 150,
                        features: [String] = []) async throws -> FakeClient {
        let (stream, continuation) = AsyncStream.makeStream(of: WireMessage.self)
        let hello = Hello(clientID: id, capabilities: Capabilities(features: features),
                          device: DeviceFacts(examplesAvailable: examples, charging: true, meteredNetwork: false, modelVersion: version))
        let token = try #require(await engine.connected(hello, outbox: continuation))
        return FakeClient(id: id, token: token, inbox: stream.makeAsyncIterator())
    }

    /// The next message the engine sent (Heartbeats are the session's, not the engine's).
    mutating func next() async -> WireMessage? {
        await inbox.next()
    }

    /// Skips messages until one matches.
    mutating func next<T>(_ pick: (WireMessage) -> T?) async -> T? {
        while let message = await inbox.next() {
            if let value = pick(message) { return value }
        }
        return nil
    }

    mutating func nextOffer() async -> RoundOffer? {
        await next { if case .roundOffer(let offer) = $0 { offer } else { nil } }
    }

    mutating func nextReceipt() async -> UpdateReceipt? {
        await next { if case .updateReceipt(let receipt) = $0 { receipt } else { nil } }
    }

    mutating func nextRelease() async -> ModelRelease? {
        await next { if case .modelRelease(let release) = $0 { release } else { nil } }
    }

    func send(_ update: Update, to engine: CoordinatorEngine) async {
        await engine.received(IncomingUpdate(update, from: id), token: token)
    }
}

extension TestWorld {
    /// An engine on this world's registry, started, its events in `log`.
    func engine(_ configuration: CoordinatorConfiguration, log: EventLog) async throws -> CoordinatorEngine {
        let engine = try CoordinatorEngine(configuration: configuration, logger: Logger(label: "test"), emit: { log.append($0) })
        await engine.start()
        return engine
    }
}

/// Polls `condition` until it holds; `limit` decides failure only when something is stuck.
func eventually(within limit: Duration = .seconds(120), _ condition: () async throws -> Bool) async throws -> Bool {
    let end = ContinuousClock.now + limit
    while ContinuousClock.now < end {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

/// A `Coordinator` running in this process, its events collected, once it listens.
struct RunningCoordinator {
    let coordinator: Coordinator
    let log = EventLog()
    let port: Int
    let service: Task<Void, any Error>
    let collector: Task<Void, Never>

    init(_ configuration: CoordinatorConfiguration) async throws {
        coordinator = Coordinator(configuration: configuration, logger: Logger(label: "coordinator"))
        let (coordinator, log) = (coordinator, log)
        collector = Task { for await event in coordinator.events { log.append(event) } }
        service = Task { try await coordinator.run() }
        var port: Int?
        for _ in 0..<600 where port == nil {
            port = await coordinator.port
            if port == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        self.port = try #require(port)
    }

    /// Waits for `run()` to return (a stop by `rounds.max_rounds`) and every event to be collected.
    func finished() async throws {
        try await service.value
        await collector.value
    }
}
