import Foundation
import Testing
import TributaryEdge
import TributaryLearning
import TributaryModelWire
import TributaryWire

/// Issue 12, item 7: a release is the fleet's live version whatever its number. After a
/// rollback the edge holds exactly the released parameters, and says so.
@Suite struct RollbackAdoptionTests {
    /// A full release of `version` whose parameters are all `value` (distinct per version).
    static func full(version: UInt64, parent: UInt64, value: Float) throws -> (release: ModelRelease, parameters: [Float]) {
        let spec = EdgeSamples.spec
        let parameters = (0..<spec.parameterLayout.totalCount).map { value + Float($0) * 1e-4 }
        let release = ModelRelease(version: version, parentVersion: parent,
                                   model: .full(try LearningWire.parameterSet(parameters, layout: spec.parameterLayout)),
                                   architecture: LearningWire.architecture(spec))
        return (release, parameters)
    }

    /// An open edge holding `version` (a full release, saved).
    static func holding(_ version: UInt64, value: Float) throws -> EdgeInstance {
        var edge = EdgeInstanceTests.instance()
        EdgeInstanceTests.open(&edge)
        _ = edge.handle(.received(.modelRelease(try full(version: version, parent: version - 1, value: value).release)), now: EdgeInstanceTests.now)
        _ = edge.handle(.checkpointSaved(version: version, failure: nil), now: EdgeInstanceTests.now)
        return edge
    }

    @Test func aReleaseLowerThanTheHeldVersionIsAdoptedExactly() throws {
        var edge = try Self.holding(3, value: 0.3)
        #expect(edge.heldVersion == 3)
        let (v2, parameters) = try Self.full(version: 2, parent: 1, value: 0.2)
        let save = edge.handle(.received(.modelRelease(v2)), now: EdgeInstanceTests.now)
        guard case .saveCheckpoint(let checkpoint)? = save.first, save.count == 1 else { Issue.record("\(save)"); return }
        #expect(checkpoint.parameters == parameters, "the released parameters, bit for bit")
        #expect(ModelAdoption.version(of: checkpoint) == 2)
        #expect(EdgeInstanceTests.names(edge.handle(.checkpointSaved(version: 2, failure: nil), now: EdgeInstanceTests.now)) == ["emit adopted(version: 2)"])
        #expect(edge.heldVersion == 2 && edge.held?.parameters == parameters)
        // The same version again: nothing to do, nothing said.
        #expect(edge.handle(.received(.modelRelease(v2)), now: EdgeInstanceTests.now).isEmpty)
    }

    @Test func aDeltaAgainstAVersionNotHeldIsNotApplied() throws {
        var edge = try Self.holding(3, value: 0.3)
        let before = try #require(edge.held?.parameters)
        // Version 4 made from 2 (a promote after a rollback elsewhere): this edge holds 3.
        let ignored = edge.handle(.received(.modelRelease(try EdgeSamples.release(version: 4, deltaFrom: 2, value: 0.01))), now: EdgeInstanceTests.now)
        #expect(EdgeInstanceTests.names(ignored) == ["emit releaseIgnored(version: 4, held: 3)"])
        #expect(edge.heldVersion == 3 && edge.held?.parameters == before)
        // A delta against the held version is applied to it.
        let applied = edge.handle(.received(.modelRelease(try EdgeSamples.release(version: 4, deltaFrom: 3, value: 0.01))), now: EdgeInstanceTests.now)
        guard case .saveCheckpoint(let checkpoint)? = applied.first else { Issue.record("\(applied)"); return }
        #expect(checkpoint.parameters == before.map { $0 + 0.01 })
    }

    @Test func anOfferOnAnOlderBaseTrainsAndKeepsThatBaseNotTheHeldVersion() throws {
        var edge = try Self.holding(3, value: 0.3)
        let offer = try EdgeSamples.offer(round: 5, version: 2)
        guard case .full(let set) = offer.model else { Issue.record("a full offer"); return }
        let offered = try LearningWire.flatten(set, layout: EdgeSamples.spec.parameterLayout, field: "offer")
        let actions = try EdgeInstanceTests.answer(offer, &edge)
        #expect(EdgeInstanceTests.names(actions).contains("send Update round 5 at version 2"))
        #expect(edge.heldVersion == 2 && edge.held?.parameters == offered, "the offer's base, not version 3's parameters")
    }

    @Test func aReleaseAdoptedDuringTrainingIsWhatTheEdgeKeeps() throws {
        var edge = try Self.holding(3, value: 0.3)
        let now = EdgeInstanceTests.now
        var actions = edge.handle(.received(.roundOffer(try EdgeSamples.offer(round: 6, version: 3))), now: now)
        guard case .readWindow(let job, _, _)? = actions.last else { Issue.record("\(actions)"); return }
        let data = EdgeSamples.data(count: 40, seed: 21)
        actions = edge.handle(.windowRead(job: job, .success(EdgeTrainingWindow(data: data, retired: Dataset(featureCount: 4), mark: 40, retiredThrough: 0))), now: now)
        guard case .train(_, let offered, let trainer)? = actions.last else { Issue.record("\(actions)"); return }
        // The operator rolls back to 2 while the job trains.
        let (v2, parameters) = try Self.full(version: 2, parent: 1, value: 0.2)
        _ = edge.handle(.received(.modelRelease(v2)), now: now)
        _ = edge.handle(.checkpointSaved(version: 2, failure: nil), now: now)
        let trained = edge.handle(.trainingFinished(job: job, Result { try trainer.answer(offered) }), now: now)
        guard case .saveRound(_, let keep, _, _, _)? = trained.last else { Issue.record("\(trained)"); return }
        #expect(ModelAdoption.version(of: keep) == 2 && keep.parameters == parameters)
        _ = edge.handle(.roundSaved(job: job, failure: nil), now: now)
        #expect(edge.heldVersion == 2 && edge.held?.parameters == parameters)
    }
}
