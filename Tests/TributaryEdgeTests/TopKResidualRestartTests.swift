import Foundation
import Testing
import TributaryCompression
import TributaryEdge
import TributaryLearning
import TributaryWire

/// Top-k's error feedback across a restart of the agent: what round 1 did not send is saved beside
/// the checkpoint, and a new agent on the same state directory sends it in round 2.
@Suite struct TopKResidualRestartTests {
    static let encoding = UpdateEncoding(delta: .topk, fisher: .sqrtInt8, blockSize: 16, topKFraction: 0.1)

    /// Round `round` at version 1 with the top-k plan; round 2 trains with a learning rate of 1e-9,
    /// so its own delta is about 0 and what it sends is the residual round 1 left.
    static func offer(round: UInt64) throws -> RoundOffer {
        var offer = try EdgeSamples.offer(round: round, version: 1)
        offer.plan.encoding = encoding
        if round == 2 { offer.plan.learningRate = 1e-9 }
        return offer
    }

    @Test func whatRoundOneDidNotSendIsSentByTheRestartedAgentInRoundTwo() async throws {
        let fleet = try EdgeTestFleet()
        defer { fleet.remove() }
        // Session n offers round n and ends once its Update came.
        let coordinator = try await LoopbackCoordinator(configuration: try await fleet.serverConfiguration(version: 1)) { session, client, record in
            try await client.connection.send(.roundOffer(try Self.offer(round: UInt64(session))))
            while let message = try await client.connection.next() {
                record(message)
                if case .update(let update) = message {
                    try await client.connection.send(.updateReceipt(UpdateReceipt(roundID: update.roundID, status: .accepted)))
                }
            }
        }
        let configuration = EdgeSamples.configuration(port: coordinator.port, state: fleet.directory + "/state")
        let transport = try fleet.edgeTransport("gw-9")
        let source = InMemoryDataSource(EdgeSamples.data(count: 30, seed: 23))
        let residualPath = configuration.stateDirectory + "/topk-residual.bin"
        var residuals: [ErrorFeedbackResidual] = []
        for round in 1...2 {
            let events = Recorded<EdgeEvent>()
            let agent = try EdgeAgent(configuration: configuration, clientID: "gw-9", transport: transport, data: source,
                                      logger: EdgeAgentLoopbackTests.logger, onEvent: { events.append($0) })
            let running = Task { try await agent.run() }
            #expect(await events.wait { $0.contains(.receipt(round: UInt64(round), status: .accepted, reason: "")) }, "\(events.all)")
            agent.stop()
            try await running.value
            residuals.append(try ErrorFeedbackResidual(serialized: try AtomicFileBytes.read(residualPath)))
        }
        await coordinator.stop()
        let updates = coordinator.received.all.compactMap { if case .update(let update) = $0 { update } else { nil } }
        try #require(updates.map(\.roundID) == [1, 2])
        let sent = try updates.map { try SparseVector(serialized: try #require($0.compressedDelta)) }
        #expect(updates.allSatisfy { $0.delta.count == 0 && $0.fisher == nil && $0.compressedFisher != nil })
        let count = EdgeSamples.spec.parameterLayout.totalCount
        let k = Int((0.1 * Double(count)).rounded(.up))
        #expect(sent.map(\.indices.count) == [k, k])

        // Round 1 started from a zero residual: it sent the k largest entries of its delta and kept
        // the rest, so the saved residual is zero exactly where it sent and no larger than what it sent.
        let first = residuals[0].values
        #expect(first.count == count)
        #expect(sent[0].indices.allSatisfy { first[Int($0)] == 0 })
        #expect(first.contains { $0 != 0 }, "round 1 left something unsent")
        let smallestSent = sent[0].values.map(abs).min() ?? 0
        #expect(first.allSatisfy { abs($0) <= smallestSent })

        // Round 2, by a new agent: its delta is ~0, so it sends the k largest entries of round 1's residual.
        let largest = first.indices.sorted { abs(first[$0]) != abs(first[$1]) ? abs(first[$0]) > abs(first[$1]) : $0 < $1 }.prefix(k).sorted()
        #expect(sent[1].indices.map(Int.init) == largest, "round 2 sent \(sent[1].indices), the residual's largest are \(largest)")
        for (index, value) in zip(sent[1].indices, sent[1].values) {
            #expect(abs(value - first[Int(index)]) <= 1e-4 * max(1, abs(first[Int(index)])), "entry \(index): sent \(value), residual \(first[Int(index)])")
        }
        #expect(residuals[1].values.count == count && sent[1].indices.allSatisfy { residuals[1].values[Int($0)] == 0 })
    }
}

/// The state directory's files as bytes.
enum AtomicFileBytes {
    static func read(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }
}
