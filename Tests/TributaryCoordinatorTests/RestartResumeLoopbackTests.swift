import Foundation
import Logging
import Testing
@testable import TributaryCoordinator
import TributaryEdge
import TributaryLearning
import TributaryRegistry
import TributaryEdgeTransport
import TributaryTransport
import TributaryWire

/// Issue 11's restart over real mutual TLS: a coordinator dies while collecting with an accepted,
/// journaled update; the restarted one offers the round again, the client resends the recorded
/// update by hand, and the round closes with every client counted once.
@Suite(.serialized) struct RestartResumeLoopbackTests {
    /// One session over mutual TLS: answers the first offer of `round` with `answer`, returns the
    /// receipts' statuses once it holds `untilVersion`.
    func session(_ id: String, port: Int, transport: EdgeTransportConfiguration, round: UInt64, untilVersion: UInt64, features: [String] = [],
                 answer: @escaping @Sendable (RoundOffer) throws -> Update) async throws -> [UpdateReceipt.Status] {
        let hello = Hello(clientID: id, capabilities: Capabilities(features: features),
                          device: DeviceFacts(examplesAvailable: 150, charging: true, meteredNetwork: false, modelVersion: 1))
        return try await EdgeClient.withSession(host: "127.0.0.1", port: port, hello: hello, configuration: transport, logger: Logger(label: "edge")) { _, connection in
            var receipts: [UpdateReceipt.Status] = []
            var offers: [UInt64] = []
            while let message = try await connection.next() {
                switch message {
                case .roundOffer(let offer):
                    offers.append(offer.roundID)
                    if offer.roundID == round { try await connection.send(.update(try answer(offer))) }
                case .updateReceipt(let receipt):
                    receipts.append(receipt.status)
                case .modelRelease(let release) where release.version >= untilVersion:
                    try? await connection.send(.goodbye(Goodbye(reason: .done, detail: "adopted \(release.version)")))
                    #expect(offers == [round], "\(id) was offered \(offers)")
                    return receipts
                default:
                    break
                }
            }
            return receipts
        }
    }

    /// With `compressed`, both edges announce "compression" and send int8 deltas and Fishers: the
    /// resent Update is the same bytes, and its decoded delta has the journaled digest.
    @Test(.timeLimit(.minutes(5)), arguments: [false, true])
    func aRestartedCoordinatorResumesTheRoundAndFoldsTheResentUpdateOnce(compressed: Bool) async throws {
        let world = try TestWorld(clients: 2)
        defer { world.remove() }
        let fleet = try TestFleet(directory: world.directory)
        var configuration = try world.configuration(target: 2, quorum: 2, tls: fleet.tls)
        let features = compressed ? [UpdateEncoding.feature] : []
        if compressed { configuration.compression = UpdateEncoding(delta: .int8, fisher: .int8) }
        let recorded: Update
        do {
            // The first process: edge-0's update is accepted and journaled, then the process dies.
            let engine = try await world.engine(configuration, log: EventLog())
            var a = try await FakeClient.connect("edge-0", to: engine, features: features)
            _ = try await FakeClient.connect("edge-1", to: engine, features: features)
            let offer = try #require(await a.nextOffer())
            recorded = try EdgeTrainer(local: nil, data: world.shares[0], seed: 5).answerEncoded(offer).update
            #expect((recorded.compressedDelta != nil) == compressed)
            await a.send(recorded, to: engine)
            #expect(await a.nextReceipt()?.status == .accepted)
            let journal = try ModelRegistry(configuration: RegistryConfiguration(directory: world.directory + "/registry", access: .readOnly))
            #expect(try await eventually { try journal.round(1).updates.count == 1 })
        }

        configuration.maxRounds = 1
        let running = try await RunningCoordinator(configuration)
        let (bound, log) = (running.port, running.log)
        let share = world.shares[1]
        async let resent = session("edge-0", port: bound, transport: try fleet.edge("edge-0"), round: 1, untilVersion: 2, features: features) { _ in recorded }
        async let fresh = session("edge-1", port: bound, transport: try fleet.edge("edge-1"), round: 1, untilVersion: 2, features: features) { offer in
            try EdgeTrainer(local: nil, data: share, seed: 5).answerEncoded(offer).update
        }
        #expect(try await resent == [.accepted])
        #expect(try await fresh == [.accepted])
        try await running.finished()

        #expect(log.lines.contains("round 1 recovered: resumed until its deadline; offered again to its 2 selected clients as they reconnect, 1 of them asked to resend their accepted update"), "\(log.lines)")
        let closed = log.all.compactMap { if case .roundClosed(let summary) = $0 { summary } else { nil } }
        #expect(closed.count == 1 && closed[0].round == 1 && closed[0].updates == 2 && closed[0].examples == 300, "\(log.lines)")
        let registry = try ModelRegistry(configuration: RegistryConfiguration(directory: world.directory + "/registry", access: .readOnly))
        let round = try registry.round(1)
        #expect(round.state == .closed && round.resultVersion == 2)
        #expect(round.updates.map(\.clientID).sorted() == ["edge-0", "edge-1"], "edge-0 is journaled once")
        #expect(try registry.show(2).participants.sorted() == ["edge-0", "edge-1"])
    }
}
