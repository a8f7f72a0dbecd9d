import Foundation
import Testing
@testable import TributaryCoordinator
import TributaryEdge
import TributaryLearning
import TributaryModelWire
import TributaryRegistry
import TributaryWire

/// Absurd Updates are refused before anything counts them, whatever the configuration's defaults,
/// and the round they arrived in still completes.
@Suite struct UpdateBoundsTests {
    func train(_ offer: RoundOffer, _ data: Dataset) throws -> Update {
        try EdgeTrainer(local: nil, data: data, seed: 5).answer(offer).update
    }

    /// A delta that is zero but for one value.
    func spike(_ value: Float, layout: ParameterLayout) throws -> ParameterSet {
        var values = [Float](repeating: 0, count: layout.totalCount)
        values[0] = value
        return try LearningWire.parameterSet(values, layout: layout)
    }

    @Test func absurdUpdatesAreRefusedAsInvalidAndTheNextHonestUpdateCompletesTheRound() async throws {
        let world = try TestWorld(clients: 2)
        defer { world.remove() }
        // Defaults only, and no held-out set: nothing but the default bounds stands in the way.
        var configuration = try world.configuration(target: 2, rule: .fedAvg)
        configuration.evaluation.heldOut = []
        configuration.aggregation = .init(rule: .fedAvg)
        let log = EventLog()
        let engine = try await world.engine(configuration, log: log)
        var a = try await FakeClient.connect("a", to: engine)
        var b = try await FakeClient.connect("b", to: engine)
        let offerA = try #require(await a.nextOffer())
        let offerB = try #require(await b.nextOffer())
        let honest = try train(offerA, world.shares[0])

        var crafted: [(update: Update, reason: String)] = []
        for count: UInt64 in [1 << 63, .max, 1_000_000_000_000_000] {
            var update = honest
            update.numExamples = count
            crafted.append((update, "num_examples is \(count)"))
        }
        for value in [Double.nan, .infinity, -.infinity] {
            var update = honest
            update.metrics["eval.accuracy"] = value
            crafted.append((update, "metrics[\"eval.accuracy\"] is \(value)"))
        }
        for (value, shown) in [(Float(1e30), "1.0000000150474662e+30"), (Float(1e19), "1e+19")] {
            var update = honest
            update.delta = try spike(value, layout: engine.layout)
            crafted.append((update, "delta L2 norm is \(shown)"))
        }
        for (update, reason) in crafted {
            await a.send(update, to: engine)
            let receipt = try #require(await a.nextReceipt())
            #expect(receipt.status == .invalid, "\(reason): \(receipt.status) \(receipt.reason)")
            #expect(receipt.reason.contains(reason), "\(receipt.reason)")
        }
        #expect(await engine.status().roundsEnded == 0)

        await a.send(honest, to: engine)
        #expect(await a.nextReceipt()?.status == .accepted)
        await b.send(try train(offerB, world.shares[1]), to: engine)
        #expect(await b.nextReceipt()?.status == .accepted)
        let summary = try #require(log.all.compactMap { if case .roundClosed(let s) = $0 { s } else { nil } }.first, "\(log.lines)")
        #expect(summary.updates == 2 && summary.examples == world.shares[0].count + world.shares[1].count)
        #expect(summary.promoted, "\(summary.gateReasons)")
        // The next round starts by itself: nothing was left closing.
        #expect(await a.nextOffer()?.roundID == 2)
    }

    @Test func withTheBoundTurnedOffTheGateStillRefusesACandidateThatExploded() async throws {
        let world = try TestWorld(clients: 1)
        defer { world.remove() }
        var configuration = try world.configuration(target: 1, rule: .fedAvg)
        configuration.evaluation.heldOut = []
        configuration.aggregation = .init(rule: .fedAvg, deltaNormBound: .off)
        let log = EventLog()
        let engine = try await world.engine(configuration, log: log)
        var a = try await FakeClient.connect("a", to: engine)
        let offer = try #require(await a.nextOffer())
        var update = try train(offer, world.shares[0])
        update.delta = try spike(1e19, layout: engine.layout)
        await a.send(update, to: engine)
        #expect(await a.nextReceipt()?.status == .accepted)
        let summary = try #require(log.all.compactMap { if case .roundClosed(let s) = $0 { s } else { nil } }.first, "\(log.lines)")
        #expect(!summary.promoted)
        #expect(summary.gateReasons.contains { $0.contains("candidate parameter norm is 1e+19") }, "\(summary.gateReasons)")
        #expect(await engine.status().liveVersion == 1)
    }
}

/// Issue 16: each client's plan states the most examples it may claim, from what it announced.
@Suite struct StatedExamplesTests {
    @Test func theOfferStatesWhatTheClientAnnouncedAndAnUpdateClaimingMoreIsRefused() async throws {
        let world = try TestWorld(clients: 2)
        defer { world.remove() }
        var configuration = try world.configuration(target: 2, rule: .fisherWeighted())
        configuration.evaluation.heldOut = []
        let log = EventLog()
        let engine = try await world.engine(configuration, log: log)
        var a = try await FakeClient.connect("a", to: engine, examples: 150)
        var b = try await FakeClient.connect("b", to: engine, examples: 120)
        let offerA = try #require(await a.nextOffer())
        let offerB = try #require(await b.nextOffer())
        #expect(offerA.plan.maxExamples == 150)
        #expect(offerB.plan.maxExamples == 120)

        // b holds 150 examples but announced 120: trained on all 150, its Update is refused.
        let tooMany = try EdgeTrainer(local: nil, data: world.shares[1], seed: 5).answer(offerB).update
        await b.send(tooMany, to: engine)
        let receipt = try #require(await b.nextReceipt())
        #expect(receipt.status == .invalid)
        #expect(receipt.reason.contains("num_examples is 150; its plan stated at most 120"), "\(receipt.reason)")
        // Trained on its newest 120, as an edge does, it is accepted.
        let share = world.shares[1]
        let newest = share.subset((share.count - 120)..<share.count)
        await b.send(try EdgeTrainer(local: nil, data: newest, seed: 5).answer(offerB).update, to: engine)
        #expect(await b.nextReceipt()?.status == .accepted)
        await a.send(try EdgeTrainer(local: nil, data: world.shares[0], seed: 5).answer(offerA).update, to: engine)
        #expect(await a.nextReceipt()?.status == .accepted)
        let summary = try #require(log.all.compactMap { if case .roundClosed(let s) = $0 { s } else { nil } }.first, "\(log.lines)")
        #expect(summary.examples == 270)
    }

    @Test func boundsOffStateOnlyTheConfiguredMaximum() async throws {
        let world = try TestWorld(clients: 1)
        defer { world.remove() }
        var configuration = try world.configuration(target: 1, rule: .fisherWeighted())
        configuration.evaluation.heldOut = []
        configuration.aggregation.bounds = .off
        configuration.aggregation.maxUpdateExamples = 5_000
        let engine = try await world.engine(configuration, log: EventLog())
        var a = try await FakeClient.connect("a", to: engine, examples: 10)
        let offer = try #require(await a.nextOffer())
        #expect(offer.plan.maxExamples == 5_000)
        await a.send(try EdgeTrainer(local: nil, data: world.shares[0], seed: 5).answer(offer).update, to: engine)
        #expect(await a.nextReceipt()?.status == .accepted)
    }
}
