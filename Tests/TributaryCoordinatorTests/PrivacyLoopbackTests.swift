import Foundation
import Logging
import Testing
@testable import TributaryCoordinator
import TributaryEdge
import TributaryEdgeTransport
import TributaryLearning
import TributaryModelWire
import TributaryPrivacy
import TributaryRegistry
import TributaryTransport
import TributaryWire

/// Issue 16 item 2 over real mutual TLS: three edges that announce the `privacy` feature train
/// under a trusted-server DP plan; ε grows round after round and is stored with each version;
/// the coordinator stops, naming ε spent and ε_max, when the next round would pass the budget;
/// a restarted coordinator composes the spent ε back from the registry and goes on from it.
@Suite(.serialized) struct PrivacyLoopbackTests {
    static let z = 1.0
    static let delta = 1e-5

    /// ε after `rounds` rounds of this fleet (every client selected: q = 1).
    static func epsilon(_ rounds: Int) throws -> Double {
        try RDPAccountant.epsilon(samplingRate: 1, noiseMultiplier: z, rounds: rounds, delta: delta)
    }

    /// One edge over mutual TLS announcing `privacy`: answers every offer with `EdgeTrainer` and
    /// returns the L2 norms of the deltas it sent once the coordinator ends the session.
    func edge(_ id: String, data: Dataset, port: Int, transport: EdgeTransportConfiguration) async throws -> [Double] {
        let hello = Hello(clientID: id, capabilities: Capabilities(features: [PrivacyPlanMessage.feature]),
                          device: DeviceFacts(examplesAvailable: UInt64(data.count), charging: true, meteredNetwork: false, modelVersion: 0))
        return try await EdgeClient.withSession(host: "127.0.0.1", port: port, hello: hello, configuration: transport, logger: Logger(label: "edge")) { _, connection in
            var norms: [Double] = []
            while let message = try await connection.next() {
                guard case .roundOffer(let offer) = message else {
                    if case .goodbye = message { break }
                    continue
                }
                #expect(offer.plan.privacy?.mode == .trustedServer && offer.plan.privacy?.deltaClip == 0.5)
                let update = try EdgeTrainer(local: nil, data: data, seed: 5).answer(offer).update
                let layout = try LearningWire.spec(try #require(offer.architecture)).parameterLayout
                let delta = try LearningWire.flatten(update.delta, layout: layout, field: "delta")
                norms.append(delta.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot())
                try await connection.send(.update(update))
            }
            return norms
        }
    }

    func run(_ configuration: CoordinatorConfiguration, world: TestWorld, fleet: TestFleet) async throws -> (EventLog, [[Double]]) {
        let running = try await RunningCoordinator(configuration)
        let norms = try await withThrowingTaskGroup(of: [Double].self) { group in
            for k in 0..<3 {
                let (data, transport) = (world.shares[k], try fleet.edge("edge-\(k)"))
                group.addTask { try await edge("edge-\(k)", data: data, port: running.port, transport: transport) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        try await running.finished()
        return (running.log, norms)
    }

    func configuration(_ world: TestWorld, fleet: TestFleet, epsilonMax: Double) throws -> CoordinatorConfiguration {
        var configuration = try world.configuration(target: 3, timeout: .seconds(600), rule: .fedAvg, tls: fleet.tls)
        configuration.privacy = PrivacySettings(mode: .trustedServer, epsilon: epsilonMax, delta: Self.delta, noise: .multiplier(Self.z),
                                                deltaClip: 0.5, seed: 3)
        try configuration.validate()
        return configuration
    }

    @Test(.timeLimit(.minutes(8)))
    func epsilonGrowsIsStoredWithEachVersionStopsTheRunAndSurvivesARestart() async throws {
        let world = try TestWorld(clients: 3)
        defer { world.remove() }
        let fleet = try TestFleet(directory: world.directory)
        let (e1, e2, e3, e4) = (try Self.epsilon(1), try Self.epsilon(2), try Self.epsilon(3), try Self.epsilon(4))
        // Two rounds fit, a third would not.
        let (log, norms) = try await run(try configuration(world, fleet: fleet, epsilonMax: (e2 + e3) / 2), world: world, fleet: fleet)

        let closed = log.all.compactMap { if case .roundClosed(let summary) = $0 { summary } else { nil } }
        try #require(closed.map(\.round) == [1, 2], "\(log.lines)")
        let spent = closed.map { $0.privacy?.epsilon ?? 0 }
        #expect(abs(spent[0] - e1) < 1e-9 && abs(spent[1] - e2) < 1e-9 && spent[1] > spent[0], "\(spent) vs \(e1), \(e2)")
        #expect(closed.allSatisfy { $0.privacy?.samplingRate == 1 && $0.privacy?.noiseMultiplier == Self.z })
        // Every delta that left an edge was inside the clip.
        #expect(norms.count == 3 && norms.allSatisfy { $0.count == 2 && $0.allSatisfy { $0 <= 0.5 * (1 + 1e-5) } }, "\(norms)")
        let registry = try ModelRegistry(configuration: RegistryConfiguration(directory: world.directory + "/registry", access: .readOnly))
        #expect(try registry.show(2).metrics["privacy.epsilon"] == spent[0])
        #expect(try registry.show(3).metrics["privacy.epsilon"] == spent[1])
        #expect(try registry.show(3).metrics["privacy.delta"] == Self.delta && registry.show(3).metrics["privacy.rounds"] == 2)
        let stop = try #require(log.all.compactMap { if case .stopped(let reason) = $0 { reason } else { nil } }.last)
        #expect(stop.hasPrefix("privacy budget spent: ε \(String(format: "%.4g", e2)) of ε_max \(String(format: "%g", (e2 + e3) / 2))"), "\(stop)")
        #expect(stop.contains("would take it to \(String(format: "%.4g", e3))"), "\(stop)")

        // A new process reads the spent budget back before any round (`tributary round status`).
        do {
            let engine = try await world.engine(try configuration(world, fleet: fleet, epsilonMax: (e2 + e3) / 2), log: EventLog())
            let status = try #require(await engine.status().privacy)
            #expect(status.rounds == 2 && abs(status.epsilonSpent - e2) < 1e-9 && status.mode == "trusted_server", "\(status)")
            await engine.stop(reason: "test", goodbye: .done)
        }

        // A restart with a budget for one round more: it goes on from ε₂, not from 0.
        let (again, _) = try await run(try configuration(world, fleet: fleet, epsilonMax: (e3 + e4) / 2), world: world, fleet: fleet)
        let more = again.all.compactMap { if case .roundClosed(let summary) = $0 { summary } else { nil } }
        try #require(more.count == 1, "\(again.lines)")
        #expect(abs((more[0].privacy?.epsilon ?? 0) - e3) < 1e-9, "\(more[0].privacy.map { "\($0)" } ?? "no privacy")")
        let restartStop = try #require(again.all.compactMap { if case .stopped(let reason) = $0 { reason } else { nil } }.last)
        #expect(restartStop.hasPrefix("privacy budget spent: ε \(String(format: "%.4g", e3))"), "\(restartStop)")
    }
}
