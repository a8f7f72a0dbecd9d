import Testing
import TributaryLearning

@Suite struct JobTests {
    let plan = TrainingPlan(epochs: 3, batchSize: 16, ewc: EWCConfiguration(lambda: 10))

    func start() throws -> Checkpoint {
        try Checkpoint.fresh(spec: Fixtures.spec(), seed: 4, replay: ReplayConfiguration(capacity: 32), plan: plan)
    }

    @Test func learnsTheNewDataAndReports() throws {
        let data = Fixtures.blobs(count: 300, seed: 1)
        let result = try IncrementalJob(plan: plan).run(from: try start(), data: data, heldOut: Fixtures.blobs(count: 100, seed: 9))
        let report = result.report
        #expect(report.examples == 300)
        #expect(report.steps == 3 * 19)
        #expect(report.newDataAfter.accuracy > report.newDataBefore.accuracy + 0.3)
        #expect(report.heldOutAfter!.accuracy > report.heldOutBefore!.accuracy + 0.3)
        #expect(report.epochLosses.count == 3 && report.epochLosses[2] < report.epochLosses[0])
        #expect(report.fisherMean > 0)
        #expect(result.candidate.replay.count == 32)
        #expect(result.candidate.ewc.consolidations == 1)
    }

    @Test func sameInputsGiveTheSameCandidateBitForBit() throws {
        let data = Fixtures.blobs(count: 120, seed: 1)
        let a = try IncrementalJob(plan: plan).run(from: try start(), data: data).candidate
        let b = try IncrementalJob(plan: plan).run(from: try start(), data: data).candidate
        #expect(try CheckpointCodec.encode(a) == CheckpointCodec.encode(b))
        // A job resumed from a saved-and-loaded parent behaves exactly like one from memory.
        let reloaded = try CheckpointCodec.decode(try CheckpointCodec.encode(a))
        let next1 = try IncrementalJob(plan: plan).run(from: a, data: Fixtures.blobs(count: 50, seed: 2)).candidate
        let next2 = try IncrementalJob(plan: plan).run(from: reloaded, data: Fixtures.blobs(count: 50, seed: 2)).candidate
        #expect(next1 == next2)
    }

    @Test func replayIsMixedIntoEveryStepOnceTheBufferHoldsData() throws {
        let first = try IncrementalJob(plan: plan).run(from: try start(), data: Fixtures.blobs(count: 64, seed: 1))
        #expect(first.report.replayedExamples == 0)
        let second = try IncrementalJob(plan: plan).run(from: first.candidate, data: Fixtures.blobs(count: 64, seed: 2))
        #expect(second.report.replayedExamples == second.report.steps * 16)
        #expect(second.report.pastDataBefore?.count == 32)
    }

    @Test func aGlobalEWCStateIsThePenaltyAndIsNotConsolidatedLocally() throws {
        let first = try IncrementalJob(plan: plan).run(from: try start(), data: Fixtures.blobs(count: 64, seed: 1))
        let global = first.candidate.ewc
        var noStore = plan
        noStore.storeInReplay = false
        let fresh = try start()
        let result = try IncrementalJob(plan: noStore).run(from: fresh, data: Fixtures.blobs(count: 64, seed: 2), globalEWC: global)
        #expect(result.candidate.ewc == fresh.ewc)
        #expect(result.fisher?.count == fresh.parameters.count)
        #expect(result.candidate.replay == fresh.replay)
        #expect(result.report.ewcPenalty == global.penalty(at: result.candidate.parameters, lambda: 10))
        #expect(result.report.ewcPenalty > 0)
    }

    @Test func frozenLayersDoNotChange() throws {
        var frozenPlan = plan
        frozenPlan.frozenLayers = ["dense1"]
        let parent = try start()
        let candidate = try IncrementalJob(plan: frozenPlan).run(from: parent, data: Fixtures.blobs(count: 64)).candidate
        let range = parent.spec.parameterLayout["dense1.bias"]!.range.upperBound
        #expect(Array(candidate.parameters[..<range]) == Array(parent.parameters[..<range]))
        #expect(candidate.parameters[range...] != parent.parameters[range...])
    }

    @Test func badInputsAreRefusedWithTheValue() throws {
        let parent = try start()
        func reason(_ body: () throws -> Void) -> String {
            do { try body(); return "accepted" } catch let error as LearningError { return error.reason } catch { return "\(error)" }
        }
        #expect(reason { _ = try IncrementalJob(plan: plan).run(from: parent, data: Dataset(featureCount: 6)) }.contains("no examples"))
        #expect(reason { _ = try IncrementalJob(plan: plan).run(from: parent, data: Fixtures.blobs(count: 5, width: 4)) }.contains("4 features"))
        var badLabel = Fixtures.blobs(count: 5)
        badLabel.labels[2] = 7
        #expect(reason { _ = try IncrementalJob(plan: plan).run(from: parent, data: badLabel) }.contains("label 7"))
        var nan = Fixtures.blobs(count: 5)
        nan.features[7] = .nan
        #expect(reason { _ = try IncrementalJob(plan: plan).run(from: parent, data: nan) }.contains("not finite"))
        var badPlan = plan
        badPlan.epochs = 0
        #expect(reason { _ = try IncrementalJob(plan: badPlan).run(from: parent, data: Fixtures.blobs(count: 5)) }.contains("epochs must be ≥ 1, got 0"))
        badPlan = plan
        badPlan.frozenLayers = ["dense9"]
        #expect(reason { _ = try IncrementalJob(plan: badPlan).run(from: parent, data: Fixtures.blobs(count: 5)) }.contains("dense9"))
    }

    @Test func divergenceIsReportedNotSaved() throws {
        let parent = try Checkpoint.fresh(spec: Fixtures.spec(), seed: 1, optimizer: .sgd(SGD(learningRate: 1e6)))
        var data = Fixtures.blobs(count: 50)
        data.features = data.features.map { $0 * 1000 }
        do {
            _ = try IncrementalJob(plan: TrainingPlan(epochs: 2, batchSize: 10)).run(from: parent, data: data)
            Issue.record("a diverging job returned a candidate")
        } catch let error as LearningError {
            #expect(error.code == .nonFinite)
        }
    }
}

@Suite struct JobDeltaTests {
    /// The job computes Δ once; it is what an edge sends and a simulated client folds.
    @Test func theResultCarriesCandidateMinusParent() throws {
        let plan = TrainingPlan(epochs: 1, batchSize: 16)
        let parent = try Checkpoint.fresh(spec: Fixtures.spec(), seed: 4, plan: plan)
        let result = try IncrementalJob(plan: plan).run(from: parent, data: Fixtures.blobs(count: 64, seed: 3))
        #expect(result.delta.map(\.bitPattern) == zip(result.candidate.parameters, parent.parameters).map { ($0 - $1).bitPattern })
        #expect(result.delta.contains { $0 != 0 })
    }
}
