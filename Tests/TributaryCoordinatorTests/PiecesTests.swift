import Foundation
import Testing
import TributaryAggregation
@testable import TributaryCoordinator
import TributaryLearning
import TributaryModelWire
import TributaryRounds
import TributaryWire

@Suite struct PiecesTests {
    func model(version: UInt64, value: Float) throws -> GlobalModel {
        var checkpoint = try Checkpoint.fresh(spec: try ModelSpec.mlp(input: 2, hidden: [], outputs: 2), seed: 1)
        checkpoint.parameters = [Float](repeating: value, count: checkpoint.parameters.count)
        return GlobalModel(version: version, checkpoint: checkpoint, ewc: GlobalEWCState(), serverState: ServerOptimizerState())
    }

    @Test func releaseIsADeltaOnlyForHoldersOfTheParent() throws {
        let live = try model(version: 5, value: 1.5)
        let set = try ReleaseSet(live: live, parentVersion: 4, parentParameters: [Float](repeating: 1, count: live.parameters.count))
        #expect(set.release(forClientHolding: 5) == nil)
        guard case .delta(let base, let delta)? = set.release(forClientHolding: 4)?.model else { Issue.record("expected a delta"); return }
        #expect(base == 4 && delta.tensors.allSatisfy { $0.tensor.scalars.allSatisfy { $0 == 0.5 } })
        for held: UInt64? in [nil, 3, 6] {
            guard case .full(let full)? = set.release(forClientHolding: held)?.model else { Issue.record("expected full for \(String(describing: held))"); return }
            #expect(full.tensors.allSatisfy { $0.tensor.scalars.allSatisfy { $0 == 1.5 } })
        }
        // Without the parent's parameters there is no delta to send.
        let noParent = try ReleaseSet(live: live, parentVersion: 4, parentParameters: nil)
        guard case .full? = noParent.release(forClientHolding: 4)?.model else { Issue.record("expected full"); return }
        let initial = try ReleaseSet(live: try model(version: 1, value: 0), parentVersion: 0, parentParameters: nil)
        #expect(initial.release(forClientHolding: nil)?.parentVersion == 0)
    }

    @Test func receiptsNameTheStatusOfEachRefusal() {
        let cases: [(any Error, UpdateReceipt.Status)] = [
            (RoundError(.lateUpdate, "late"), .late),
            (RoundError(.notSelected, "x"), .notExpected),
            (RoundError(.duplicateUpdate, "x"), .notExpected),
            (RoundError(.unknownRound, "x"), .notExpected),
            (RoundError(.wrongBaseVersion, "x"), .invalid),
            (RoundError(.emptyUpdate, "x"), .invalid),
            (AggregationError(.nonFiniteDelta, "x"), .invalid),
            (AggregationError(.normTooLarge, "x"), .invalid),
            (AggregationError(.duplicateClient, "x"), .notExpected),
            (LearningError(.invalidConfiguration, "Update.delta tensor w[3] does not match"), .invalid),
        ]
        for (error, status) in cases {
            let receipt = UpdateReceipt.refusing(roundID: 3, error)
            #expect(receipt.status == status, "\(error)")
            #expect(receipt.roundID == 3 && !receipt.reason.isEmpty)
        }
    }

    @Test func clientAccuracyIsExampleWeightedAndPrefersEvalMetrics() {
        var tally = ClientAccuracyTally()
        #expect(tally.accuracy == nil)
        tally.add(metrics: ["train.accuracy.before": 0.5, "train.accuracy": 0.7], examples: 1)
        tally.add(metrics: ["train.accuracy.before": 0.1, "train.accuracy": 0.9, "eval.accuracy.before": 0.6, "eval.accuracy": 0.8], examples: 3)
        tally.add(metrics: ["train.loss": 1], examples: 10)
        tally.add(metrics: ["train.accuracy.before": .nan, "train.accuracy": 0.5], examples: 10)
        let accuracy = tally.accuracy!
        #expect(abs(accuracy.parent - (0.5 + 3 * 0.6) / 4) < 1e-12)
        #expect(abs(accuracy.candidate - (0.7 + 3 * 0.8) / 4) < 1e-12)
    }

    @Test func aRegressionFleetsRMSEIsPooledAsMeanSquaredErrors() throws {
        var tally = ClientAccuracyTally()
        #expect(tally.error == nil)
        tally.add(metrics: ["train.rmse.before": 2, "train.rmse": 1, "train.rmse.constant": 2], examples: 1)
        tally.add(metrics: ["train.rmse.before": 1, "train.rmse": 0.5, "train.rmse.constant": 1], examples: 3)
        tally.add(metrics: ["train.rmse.before": .nan, "train.rmse": 0.5], examples: 10)
        let error = try #require(tally.error)
        #expect(abs(error.parent - ((4 + 3 * 1.0) / 4).squareRoot()) < 1e-12)
        #expect(abs(error.candidate - ((1 + 3 * 0.25) / 4).squareRoot()) < 1e-12)
        #expect(abs(error.constant! - ((4 + 3 * 1.0) / 4).squareRoot()) < 1e-12)
        // One update without the mean predictor's RMSE: the pooled figure would be partial, so none.
        tally.add(metrics: ["train.rmse.before": 1, "train.rmse": 1], examples: 1)
        #expect(tally.error?.constant == nil)
    }

    @Test func aVersionKeepsItsGlobalEWCAndServerStateInItsCheckpoint() throws {
        var live = try model(version: 7, value: 0.25)
        let count = live.parameters.count
        live.ewc = GlobalEWCState(fisher: [Float](repeating: 2, count: count), anchor: [Float](repeating: 0.25, count: count), consolidations: 3)
        live.serverState = ServerOptimizerState(step: 4, momentum: [Float](repeating: 0.1, count: count), secondMoment: [Float](repeating: 0.2, count: count))
        let stored = try live.storedCheckpoint()
        let bytes = try CheckpointCodec.encode(stored)
        let back = try GlobalModel(version: 7, stored: try CheckpointCodec.decode(bytes))
        #expect(back.ewc == live.ewc)
        #expect(back.serverState == live.serverState)
        #expect(back.parameters == live.parameters)
        #expect(back.checkpoint.metadata["model.version"] == "7")
        // A checkpoint from `tributary init` has neither: empty states.
        let fresh = try GlobalModel(version: 1, stored: try Checkpoint.fresh(spec: live.checkpoint.spec, seed: 2))
        #expect(fresh.ewc.isEmpty && fresh.serverState == ServerOptimizerState())
    }

    @Test func adminRoutesAnswerJSONAndNameWhatIsWrong() async throws {
        let status = CoordinatorStatus(liveVersion: 3, population: 2, eligible: 2, currentRound: nil, roundsEnded: 1)
        let api = AdminAPI(startRound: { throw CoordinatorError(.roundRefused, "only 1 eligible clients are connected; the quorum is 2") },
                           status: { status })
        let start = await api.handle(method: "POST", path: "/v1/rounds")
        #expect(start.status == 409 && start.body.contains("only 1 eligible clients"), "\(start)")
        let shown = await api.handle(method: "GET", path: "/v1/status")
        #expect(shown.status == 200 && shown.body.contains("\"live_version\":3"), "\(shown.body)")
        let wrongMethod = await api.handle(method: "GET", path: "/v1/rounds")
        #expect(wrongMethod.status == 405 && wrongMethod.body.contains("method GET is not allowed on /v1/rounds; use POST"))
        let unknown = await api.handle(method: "GET", path: "/v2/x")
        #expect(unknown.status == 404 && unknown.body.contains("GET /v2/x"))
        let started = AdminAPI(startRound: { 4 }, status: { status })
        #expect(await started.handle(method: "POST", path: "/v1/rounds") == .init(status: 201, body: "{\"round\":4}"))
    }
}
