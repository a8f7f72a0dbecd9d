import Foundation
import Testing
@testable import TributaryCoordinator
import TributaryWire

/// A round under differential privacy is offered only to clients that announce the `privacy`
/// feature (the C edge client does not: it could not clip), with the plan's clip and, in
/// distributed mode, each client's noise σ = z·C/√quorum.
@Suite struct PrivacyOfferTests {
    /// Connects `id` to `engine`, announcing `features`.
    func connect(_ id: String, features: [String], to engine: CoordinatorEngine) async throws -> AsyncStream<WireMessage>.AsyncIterator {
        let (stream, continuation) = AsyncStream.makeStream(of: WireMessage.self)
        let hello = Hello(clientID: id, capabilities: Capabilities(features: features),
                          device: DeviceFacts(examplesAvailable: 150, charging: true, meteredNetwork: false, modelVersion: 0))
        _ = try #require(await engine.connected(hello, outbox: continuation))
        return stream.makeAsyncIterator()
    }

    @Test(arguments: [PrivacySettings.Mode.trustedServer, .distributed])
    func onlyClientsThatApplyThePlanAreOfferedIt(mode: PrivacySettings.Mode) async throws {
        let world = try TestWorld(clients: 2)
        defer { world.remove() }
        var configuration = try world.configuration(target: 2, quorum: 2, trigger: .manual, rule: .fedAvg)
        configuration.plan.ewcLambda = 0
        configuration.privacy = PrivacySettings(mode: mode, epsilon: 50, noise: .multiplier(2), deltaClip: 0.5, seed: 1)
        try configuration.validate()
        let log = EventLog()
        let engine = try await world.engine(configuration, log: log)
        var applies = try await connect("edge-0", features: [PrivacyPlanMessage.feature], to: engine)
        _ = try await connect("edge-1", features: [], to: engine)
        let round = try await engine.requestRound()
        let offer = try #require(await applies.next { if case .roundOffer(let offer) = $0 { offer } else { nil } })
        #expect(offer.roundID == round)
        let plan = try #require(offer.plan.privacy)
        #expect(plan.deltaClip == 0.5 && plan.mode == (mode == .distributed ? .distributed : .trustedServer))
        // Distributed: z · C / √quorum = 2 · 0.5 / √2 (one released sum: FedAvg, λ 0).
        #expect(abs(plan.deltaNoiseStandardDeviation - (mode == .distributed ? 1 / 2.0.squareRoot() : 0)) < 1e-12)
        #expect(try await eventually { log.lines.contains { $0.hasPrefix("round \(round) started") && $0.contains("offered to 1 clients") } }, "\(log.lines)")
        await engine.stop(reason: "test", goodbye: .done)
    }
}

extension AsyncStream<WireMessage>.AsyncIterator {
    /// Skips messages until one matches.
    mutating func next<T>(_ pick: (WireMessage) -> T?) async -> T? {
        while let message = await next() {
            if let value = pick(message) { return value }
        }
        return nil
    }
}
