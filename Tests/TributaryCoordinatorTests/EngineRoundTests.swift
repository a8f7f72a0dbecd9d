import Foundation
import Logging
import Testing
@testable import TributaryCoordinator
import TributaryEdge
import TributaryLearning
import TributaryModelWire
import TributaryRegistry
import TributaryWire

/// The engine driven with no sockets: clients are outboxes, updates come from real local jobs.
@Suite struct EngineRoundTests {
    func engine(_ world: TestWorld, _ configuration: CoordinatorConfiguration, log: EventLog) async throws -> CoordinatorEngine {
        let engine = try CoordinatorEngine(configuration: configuration, logger: Logger(label: "test"), emit: { log.append($0) })
        await engine.start()
        return engine
    }

    func train(_ offer: RoundOffer, _ data: Dataset) throws -> Update {
        try EdgeTrainer(local: nil, data: data, seed: 5).answer(offer).update
    }

    @Test func aRoundClosesPromotesAndReleasesDeltasToHoldersOfTheParent() async throws {
        let world = try TestWorld(clients: 2)
        defer { world.remove() }
        let log = EventLog()
        let engine = try await engine(world, try world.configuration(target: 2), log: log)
        var a = try await FakeClient.connect("a", to: engine)
        var b = try await FakeClient.connect("b", to: engine)
        // Version 1 (the initial checkpoint) goes to clients that hold nothing, in full.
        let first = try #require(await a.nextRelease())
        #expect(first.version == 1)
        guard case .full = first.model else { Issue.record("expected a full release"); return }
        let offerA = try #require(await a.nextOffer())
        let offerB = try #require(await b.nextOffer())
        #expect(offerA.roundID == 1 && offerA.baseModelVersion == 1 && offerA.ewc == nil)
        await a.send(try train(offerA, world.shares[0]), to: engine)
        #expect(await a.nextReceipt()?.status == .accepted)
        await b.send(try train(offerB, world.shares[1]), to: engine)
        #expect(await b.nextReceipt()?.status == .accepted)

        let release = try #require(await a.nextRelease())
        #expect(release.version == 2 && release.parentVersion == 1)
        guard case .delta(let base, _) = release.model else { Issue.record("a holds version 1: expected a delta"); return }
        #expect(base == 1)
        // A late joiner that holds nothing gets the live model in full.
        var c = try await FakeClient.connect("c", to: engine)
        let late = try #require(await c.nextRelease())
        guard case .full = late.model else { Issue.record("a late joiner gets the full model"); return }
        #expect(late.version == 2)

        let registry = try ModelRegistry(directory: world.directory + "/registry")
        #expect(try registry.live()?.number == 2)
        #expect(try registry.round(1).state == .closed)
        let stored = try GlobalModel(version: 2, stored: try registry.load(2))
        // The version keeps the round's mean Fisher pending (read back from the registry's blob):
        // nothing is consolidated until the data changes (aggregation.consolidate: data_change).
        #expect(stored.ewc.isEmpty && stored.ewc.consolidations == 0)
        #expect(stored.ewc.pending.count == stored.parameters.count && stored.ewc.pending.contains { $0 > 0 } && stored.ewc.age == 1)
        #expect(stored.checkpoint.metadata["model.version"] == "2")
        let closed = log.all.compactMap { if case .roundClosed(let summary) = $0 { summary } else { nil } }
        #expect(closed.count == 1 && closed[0].promoted && closed[0].updates == 2)
        #expect((closed[0].accuracy["digits"] ?? 0) > (closed[0].parentAccuracy["digits"] ?? 1))

        // The next round's offer carries no global EWC state: none was consolidated yet.
        await engine.disconnected("c", token: c.token)
        let next = try #require(await a.nextOffer())
        #expect(next.roundID == 2 && next.baseModelVersion == 2 && next.ewc == nil)
    }

    @Test func plainFedAvgWithoutEWCAsksForNoFisherAndSendsNoEWCState() async throws {
        let world = try TestWorld(clients: 2)
        defer { world.remove() }
        let log = EventLog()
        var configuration = try world.configuration(target: 2, rule: .fedAvg)
        configuration.plan.ewcLambda = 0
        let engine = try await engine(world, configuration, log: log)
        var a = try await FakeClient.connect("a", to: engine)
        var b = try await FakeClient.connect("b", to: engine)
        let offerA = try #require(await a.nextOffer())
        let offerB = try #require(await b.nextOffer())
        #expect(offerA.plan.skipFisher && offerA.plan.ewcLambda == 0 && offerA.ewc == nil)
        let updateA = try train(offerA, world.shares[0]), updateB = try train(offerB, world.shares[1])
        #expect(updateA.fisher == nil && updateB.fisher == nil, "the edge computes and sends no Fisher")
        await a.send(updateA, to: engine)
        #expect(await a.nextReceipt()?.status == .accepted)
        await b.send(updateB, to: engine)
        #expect(await b.nextReceipt()?.status == .accepted)
        let release = try #require(await a.nextRelease())
        #expect(release.version == 2)
        let next = try #require(await a.nextOffer())
        #expect(next.roundID == 2 && next.plan.skipFisher && next.ewc == nil)

        // Fisher-weighted aggregation needs the Fisher, whatever λ is.
        let world2 = try TestWorld(clients: 1)
        defer { world2.remove() }
        var weighted = try world2.configuration(target: 1)
        weighted.plan.ewcLambda = 0
        let engine2 = try await self.engine(world2, weighted, log: EventLog())
        var c = try await FakeClient.connect("c", to: engine2)
        let offerC = try #require(await c.nextOffer())
        #expect(!offerC.plan.skipFisher && offerC.ewc == nil)
        #expect(try train(offerC, world2.shares[0]).fisher != nil)
    }

    @Test func refusedUpdatesGetTheirReceiptAndTouchNoSum() async throws {
        let world = try TestWorld(clients: 3)
        defer { world.remove() }
        let log = EventLog()
        let engine = try await engine(world, try world.configuration(target: 2), log: log)
        var a = try await FakeClient.connect("a", to: engine)
        var b = try await FakeClient.connect("b", to: engine)
        let offer = try #require(await a.nextOffer())
        _ = await b.nextOffer()
        // Joined after the round started: not selected.
        var c = try await FakeClient.connect("c", to: engine)
        let good = try train(offer, world.shares[0])

        await c.send(good, to: engine)
        let notSelected = try #require(await c.nextReceipt())
        #expect(notSelected.status == .notExpected && notSelected.reason.contains("not offered"))

        var poisoned = good
        poisoned.delta = try LearningWire.parameterSet(
            [Float](repeating: .nan, count: engine.layout.totalCount), layout: engine.layout)
        await a.send(poisoned, to: engine)
        let invalid = try #require(await a.nextReceipt())
        #expect(invalid.status == .invalid && invalid.reason.contains("a"), "\(invalid.reason)")

        var wrongBase = good
        wrongBase.baseModelVersion = 7
        await a.send(wrongBase, to: engine)
        let wrong = try #require(await a.nextReceipt())
        #expect(wrong.status == .invalid && wrong.reason.contains("version 7"), "\(wrong.reason)")

        await a.send(good, to: engine)
        #expect(await a.nextReceipt()?.status == .accepted)
        await a.send(good, to: engine)
        let duplicate = try #require(await a.nextReceipt())
        #expect(duplicate.status == .notExpected && duplicate.reason.contains("already"), "\(duplicate.reason)")

        await b.send(try train(offer, world.shares[1]), to: engine)
        #expect(await b.nextReceipt()?.status == .accepted)
        // Round 1 closed: a resend is late.
        await a.send(good, to: engine)
        let late = try #require(await a.nextReceipt())
        #expect(late.status == .late, "\(late.reason)")

        let summary = try #require(log.all.compactMap { if case .roundClosed(let s) = $0 { s } else { nil } }.first)
        #expect(summary.updates == 2 && summary.examples == world.shares[0].count + world.shares[1].count)
        let refused = log.all.filter { if case .updateRefused = $0 { true } else { false } }
        #expect(refused.count == 5)
        let registry = try ModelRegistry(directory: world.directory + "/registry")
        #expect(try registry.round(1).updates.map(\.clientID).sorted() == ["a", "b"])
    }

    @Test func theGateRejectsACandidateThatForgetsAndTheLiveVersionStays() async throws {
        let world = try TestWorld(clients: 2)
        defer { world.remove() }
        let log = EventLog()
        // No held-out task may lose any accuracy; the clients' reports are not judged.
        var configuration = try world.configuration(target: 1, gate: PromotionGate(maxTaskDrop: 0, maxClientAccuracyDrop: 1), rule: .fedAvg)
        // The delta below is 240 times the model's norm: the default bound would refuse it before the gate sees it.
        configuration.aggregation.deltaNormBound = .off
        let engine = try await engine(world, configuration, log: log)
        var a = try await FakeClient.connect("a", to: engine)
        let offer = try #require(await a.nextOffer())
        var wrecked = try train(offer, world.shares[0])
        // A finite but destructive delta: the held-out accuracy collapses.
        var generator = SeededGenerator(seed: 9)
        wrecked.delta = try LearningWire.parameterSet(
            (0..<engine.layout.totalCount).map { _ in 50 * generator.nextGaussian() }, layout: engine.layout)
        await a.send(wrecked, to: engine)
        #expect(await a.nextReceipt()?.status == .accepted)
        let summary = try #require(log.all.compactMap { if case .roundClosed(let s) = $0 { s } else { nil } }.first)
        #expect(!summary.promoted)
        #expect(summary.gateReasons.first?.contains("digits: accuracy fell") == true, "\(summary.gateReasons)")
        #expect(summary.line.contains("version 2 rejected (digits: accuracy fell"), "\(summary.line)")
        let registry = try ModelRegistry(directory: world.directory + "/registry")
        #expect(try registry.live()?.number == 1)
        #expect(try registry.show(2).status == .rejected)
        #expect(await engine.status().liveVersion == 1)
    }

    @Test func aRestartResumesARoundWithJournaledUpdatesAndCountsTheResendOnce() async throws {
        let world = try TestWorld(clients: 2)
        defer { world.remove() }
        let configuration = try world.configuration(target: 2)
        let sent: Update
        do {
            let engine = try await engine(world, configuration, log: EventLog())
            var a = try await FakeClient.connect("a", to: engine)
            _ = try await FakeClient.connect("b", to: engine)
            let offer = try #require(await a.nextOffer())
            sent = try train(offer, world.shares[0])
            await a.send(sent, to: engine)
            #expect(await a.nextReceipt()?.status == .accepted)
            // The journal write is queued off the actor: wait until it is on disk.
            let registry = try ModelRegistry(configuration: RegistryConfiguration(directory: world.directory + "/registry", access: .readOnly))
            #expect(try await eventually { try registry.round(1).updates.count == 1 })
            // The process "dies" here: the engine is dropped without stopping.
        }
        let log = EventLog()
        let engine = try await engine(world, configuration, log: log)
        #expect(log.lines.contains { $0.hasPrefix("round 1 recovered: resumed until its deadline") }, "\(log.lines)")
        // Both selected clients are offered round 1 again; a resends exactly what it sent, b sends its own.
        // a announces more than it trained on, so its plan lets the retrained count through to the resend check.
        var a = try await FakeClient.connect("a", to: engine, holding: 1, examples: 200)
        var b = try await FakeClient.connect("b", to: engine, holding: 1)
        let again = try #require(await a.nextOffer())
        #expect(again.roundID == 1 && again.baseModelVersion == 1)
        var retrained = sent
        retrained.numExamples += 1
        await a.send(retrained, to: engine)
        let differs = try #require(await a.nextReceipt())
        #expect(differs.status == .invalid && differs.reason.contains("differs from the one accepted before the restart"), "\(differs.reason)")
        await a.send(sent, to: engine)
        #expect(await a.nextReceipt()?.status == .accepted)
        let offerB = try #require(await b.nextOffer())
        await b.send(try train(offerB, world.shares[1]), to: engine)
        #expect(await b.nextReceipt()?.status == .accepted)
        let summary = try #require(log.all.compactMap { if case .roundClosed(let s) = $0 { s } else { nil } }.first)
        #expect(summary.round == 1 && summary.updates == 2)
        let registry = try ModelRegistry(configuration: RegistryConfiguration(directory: world.directory + "/registry", access: .readOnly))
        #expect(try registry.round(1).state == .closed)
        #expect(try registry.round(1).updates.map(\.clientID).sorted() == ["a", "b"], "a is journaled once")
    }
}
