import Foundation
import Logging
import Testing
import TributaryCoordinatorTransport
import TributaryEdge
import TributaryLearning
import TributaryTransport
import TributaryWire

/// The agent against a real coordinator socket (mutual TLS 1.3 on 127.0.0.1), in process.
@Suite struct EdgeAgentLoopbackTests {
    static let logger = Logger(label: "edge-test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// One session: offer round 1 at version 1, answer the Update with a receipt and a delta
    /// release (version 2), then read until the edge leaves.
    static func offerOnce(_ session: Int, _ client: CoordinatorClient, _ record: @Sendable (WireMessage) -> Void) async throws {
        if session == 1 { try await client.connection.send(.roundOffer(try EdgeSamples.offer(round: 1, version: 1))) }
        while let message = try await client.connection.next() {
            record(message)
            if case .update(let update) = message {
                try await client.connection.send(.updateReceipt(UpdateReceipt(roundID: update.roundID, status: .accepted)))
                try await client.connection.send(.modelRelease(try EdgeSamples.release(version: 2, deltaFrom: 1, value: 0.01)))
            }
        }
    }

    func run(_ agent: EdgeAgent) -> Task<Void, any Error> {
        Task { try await agent.run() }
    }

    @Test func answersAnOfferAdoptsTheReleaseAndSendsNothingPrivate() async throws {
        let fleet = try EdgeTestFleet()
        defer { fleet.remove() }
        let coordinator = try await LoopbackCoordinator(configuration: try await fleet.serverConfiguration(version: 1), script: Self.offerOnce)
        let data = EdgeSamples.data(count: 40, seed: 11)
        let events = Recorded<EdgeEvent>()
        let configuration = EdgeSamples.configuration(port: coordinator.port, state: fleet.directory + "/state")
        let agent = try EdgeAgent(configuration: configuration, clientID: "gw-1", transport: try fleet.edgeTransport("gw-1"),
                                  data: InMemoryDataSource(data), logger: Self.logger, onEvent: { events.append($0) })
        let running = run(agent)
        #expect(await events.wait { $0.contains(.adopted(version: 2)) }, "\(events.all)")
        // Once adopted, version 2 is what the agent serves.
        let served = try agent.predict([[0.5, -1, 2, 0]])
        #expect(served.map(\.modelVersion) == [2] && served.map(\.id) == [0], "data in memory: nothing is logged")
        agent.stop()
        try await running.value
        #expect(await coordinator.received.wait { $0.contains { if case .goodbye(let g) = $0 { g.reason == .shutdown } else { false } } })
        await coordinator.stop()

        let seen = events.all
        #expect(seen.first == .connected(sessionID: "s1", modelVersion: 1))
        #expect(seen.contains(.readySent(trigger: "startup")))  // 40 examples ≥ the volume threshold before connecting
        #expect(seen.contains(.offered(round: 1, baseVersion: 1)))
        #expect(seen.contains { if case .trained(let round, let examples, _, _) = $0 { round == 1 && examples == 40 } else { false } })
        #expect(seen.contains(.receipt(round: 1, status: .accepted, reason: "")))
        #expect(seen.last == .stopped)

        // The checkpoint holds version 2 = version 1's model + the delta, and the job's replay:
        // empty, as the 40 examples are still the window (they join the buffer when they leave it).
        let (kept, _) = try CheckpointStore.load(from: configuration.checkpointPath)
        #expect(ModelAdoption.version(of: kept) == 2)
        let global = try Checkpoint.fresh(spec: EdgeSamples.spec, seed: 5)
        #expect(zip(kept.parameters, global.parameters).allSatisfy { abs($0 - $1 - 0.01) < 1e-6 })
        #expect(kept.replay.configuration.capacity > 0 && kept.replay.isEmpty)
        #expect(served.map(\.probabilities) == (try ServedModel(checkpoint: kept).outputs([[0.5, -1, 2, 0]])).map(\.probabilities))

        try assertNothingPrivateLeft(coordinator.received.all, data: data)
    }

    /// Only Hello, Ready, Update (delta, Fisher, aggregate metrics) and Goodbye reach the
    /// coordinator's application (Heartbeats stop in the session layer), and no byte pattern of
    /// any example's feature values is in any of them.
    func assertNothingPrivateLeft(_ messages: [WireMessage], data: Dataset) throws {
        #expect(messages.contains { if case .update = $0 { true } else { false } })
        for message in messages {
            switch message {
            case .hello, .ready, .goodbye, .heartbeat: break
            case .update(let update):
                #expect(Set(update.metrics.keys).isSubset(of: EdgeTrainer.metricNames), "\(update.metrics.keys.sorted())")
                #expect(update.fisher != nil)
                #expect(update.numExamples == UInt64(data.count))
            default: Issue.record("the edge sent \(message.name)")
            }
            let bytes = try FrameCodec.encode(message, configuration: .init())
            for value in data.features {
                let pattern = withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) }
                #expect(!contains(bytes, pattern), "\(message.name) carries the example value \(value)")
            }
            for row in 0..<data.count {
                let text = data.row(row).map { "\($0)" }.joined(separator: ",")
                #expect(!contains(bytes, Array(text.utf8)))
            }
        }
    }

    func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if Array(haystack[start..<(start + needle.count)]) == needle { return true }
        }
        return false
    }

    @Test func resumesFromItsCheckpointAndReportsItsVersionInHello() async throws {
        let fleet = try EdgeTestFleet()
        defer { fleet.remove() }
        let coordinator = try await LoopbackCoordinator(configuration: try await fleet.serverConfiguration(version: 1), script: Self.offerOnce)
        let configuration = EdgeSamples.configuration(port: coordinator.port, state: fleet.directory + "/state")
        let transport = try fleet.edgeTransport("gw-2")
        let source = InMemoryDataSource(EdgeSamples.data(count: 30, seed: 12))
        for _ in 0..<2 {
            let events = Recorded<EdgeEvent>()
            let agent = try EdgeAgent(configuration: configuration, clientID: "gw-2", transport: transport, data: source,
                                      logger: Self.logger, onEvent: { events.append($0) })
            let running = run(agent)
            #expect(await events.wait { $0.contains(.adopted(version: 2)) || $0.contains { if case .connected = $0 { coordinator.sessions.all.count == 2 } else { false } } })
            agent.stop()
            try await running.value
        }
        await coordinator.stop()
        let hellos = coordinator.received.all.compactMap { if case .hello(let hello) = $0 { hello } else { nil } }
        #expect(hellos.map(\.device.modelVersion) == [0, 2])
        #expect(hellos.last?.device.examplesAvailable == 30)
        // After training, nothing new: no Ready on the second connection.
        let readies = coordinator.received.all.compactMap { if case .ready(let ready) = $0 { ready.trigger } else { nil } }
        #expect(readies == ["startup"])
    }

    @Test func reconnectsWithBackoffAfterGoodbyeAndAfterDroppingAnOffer() async throws {
        let fleet = try EdgeTestFleet()
        defer { fleet.remove() }
        // Session 1: the coordinator shuts down. Session 2 and later: an offer, which this edge drops.
        let coordinator = try await LoopbackCoordinator(configuration: try await fleet.serverConfiguration(version: 1)) { session, client, record in
            if session == 1 {
                try await client.connection.send(.goodbye(Goodbye(reason: .shutdown, detail: "restarting")))
            } else {
                try await client.connection.send(.roundOffer(try EdgeSamples.offer(round: UInt64(session), version: 1)))
            }
            while let message = try await client.connection.next() { record(message) }
        }
        let events = Recorded<EdgeEvent>()
        let agent = try EdgeAgent(configuration: EdgeSamples.configuration(port: coordinator.port, state: fleet.directory + "/state"),
                                  clientID: "gw-3", transport: try fleet.edgeTransport("gw-3"),
                                  data: InMemoryDataSource(EdgeSamples.data(count: 5, seed: 13)),
                                  faults: EdgeFaults(dropAfterOffer: true), logger: Self.logger, onEvent: { events.append($0) })
        let running = run(agent)
        #expect(await events.wait { $0.filter { if case .connected = $0 { true } else { false } }.count >= 3 })
        agent.stop()
        try await running.value
        await coordinator.stop()
        let seen = events.all
        let disconnects = seen.compactMap { if case .disconnected(let reason) = $0 { reason } else { nil } }
        #expect(disconnects.first?.contains("restarting") == true, "\(disconnects)")
        #expect(seen.contains(.skipped(round: 2, reason: "dropped after the offer (fault injection)")))
        #expect(seen.contains { if case .backingOff(let delay) = $0 { delay <= .milliseconds(200) } else { false } })
        #expect(!coordinator.received.all.contains { if case .update = $0 { true } else { false } })
    }

    @Test func reportsReadyWhenNewExamplesCrossTheVolumeThresholdDuringASession() async throws {
        let fleet = try EdgeTestFleet()
        defer { fleet.remove() }
        let coordinator = try await LoopbackCoordinator(configuration: try await fleet.serverConfiguration(version: 1)) { _, client, record in
            while let message = try await client.connection.next() { record(message) }
        }
        let source = InMemoryDataSource(EdgeSamples.data(count: 4, seed: 14))  // below the threshold of 10
        let events = Recorded<EdgeEvent>()
        let agent = try EdgeAgent(configuration: EdgeSamples.configuration(port: coordinator.port, state: fleet.directory + "/state"),
                                  clientID: "gw-4", transport: try fleet.edgeTransport("gw-4"), data: source,
                                  logger: Self.logger, onEvent: { events.append($0) })
        let running = run(agent)
        #expect(await events.wait { $0.contains { if case .connected = $0 { true } else { false } } })
        source.append(EdgeSamples.data(count: 5, seed: 15))
        source.append(EdgeSamples.data(count: 5, seed: 16))
        #expect(await coordinator.received.wait { $0.contains { if case .ready = $0 { true } else { false } } })
        agent.stop()
        try await running.value
        await coordinator.stop()
        let readies = coordinator.received.all.compactMap { if case .ready(let ready) = $0 { ready } else { nil } }
        #expect(readies.map(\.trigger) == ["volume"])
        #expect(readies.first?.device.examplesAvailable == 14)
        #expect(events.all.contains(.readySent(trigger: "volume")))
    }

    /// A coordinator that "crashes" after each Update (closes the session) and offers the same
    /// round again when the edge comes back: the edge sends exactly the Update it sent first,
    /// without training again and without touching its checkpoint, on a reconnect and after its
    /// own restart (the Update kept in its state directory).
    @Test func aRoundOfferedAgainGetsTheSameUpdateAfterAReconnectAndAfterARestart() async throws {
        let fleet = try EdgeTestFleet()
        defer { fleet.remove() }
        let offer = try EdgeSamples.offer(round: 1, version: 1)
        let coordinator = try await LoopbackCoordinator(configuration: try await fleet.serverConfiguration(version: 1)) { _, client, record in
            try await client.connection.send(.roundOffer(offer))
            while let message = try await client.connection.next() {
                record(message)
                if case .update = message { return }
            }
        }
        let configuration = EdgeSamples.configuration(port: coordinator.port, state: fleet.directory + "/state")
        let transport = try fleet.edgeTransport("gw-5")
        let source = InMemoryDataSource(EdgeSamples.data(count: 30, seed: 17))
        var runs: [[EdgeEvent]] = []
        var digests: [String] = []
        for _ in 0..<2 {
            let events = Recorded<EdgeEvent>()
            let agent = try EdgeAgent(configuration: configuration, clientID: "gw-5", transport: transport, data: source,
                                      logger: Self.logger, onEvent: { events.append($0) })
            let running = run(agent)
            #expect(await events.wait { $0.contains(.updateResent(round: 1)) }, "\(events.all)")
            digests.append(try CheckpointStore.load(from: configuration.checkpointPath).digest)
            agent.stop()
            try await running.value
            runs.append(events.all)
        }
        await coordinator.stop()
        let updates = coordinator.received.all.compactMap { if case .update(let update) = $0 { update } else { nil } }
        #expect(updates.count >= 3)
        #expect(updates.allSatisfy { $0 == updates[0] }, "every answer to round 1 is the first Update")
        let trained = runs.map { $0.filter { if case .trained = $0 { true } else { false } }.count }
        #expect(trained == [1, 0], "trained once, in the first run only")
        #expect(Set(digests).count == 1, "the checkpoint is the one saved with the round")
    }

    /// A kept Update that cannot be read (a damaged file) does not stop the agent: the offer is
    /// trained and answered, and the file is replaced by the new Update.
    @Test func anUnreadableKeptUpdateIsIgnoredAndTheOfferTrained() async throws {
        let fleet = try EdgeTestFleet()
        defer { fleet.remove() }
        let coordinator = try await LoopbackCoordinator(configuration: try await fleet.serverConfiguration(version: 1), script: Self.offerOnce)
        let configuration = EdgeSamples.configuration(port: coordinator.port, state: fleet.directory + "/state")
        try FileManager.default.createDirectory(atPath: configuration.stateDirectory, withIntermediateDirectories: true)
        let damaged = Data([0, 0, 0, 9, 1, 2, 3])
        try damaged.write(to: URL(fileURLWithPath: configuration.keptUpdatePath))
        let events = Recorded<EdgeEvent>()
        let agent = try EdgeAgent(configuration: configuration, clientID: "gw-6", transport: try fleet.edgeTransport("gw-6"),
                                  data: InMemoryDataSource(EdgeSamples.data(count: 20, seed: 18)), logger: Self.logger,
                                  onEvent: { events.append($0) })
        let running = run(agent)
        #expect(await events.wait { $0.contains { if case .updateSent(let round, _, _) = $0 { round == 1 } else { false } } }, "\(events.all)")
        agent.stop()
        try await running.value
        await coordinator.stop()
        let kept = try Data(contentsOf: URL(fileURLWithPath: configuration.keptUpdatePath))
        let sent = coordinator.received.all.compactMap { if case .update(let update) = $0 { update } else { nil } }
        #expect(sent.count == 1)
        #expect(try sent.first.map { Data(try FrameCodec.encode(.update($0), configuration: .init(maxFrameBytes: 1 << 30))) } == kept,
                "the file now holds the Update sent, as its wire frame")
    }
}
