import Foundation
import Testing
import TributaryEdge
import TributaryFeedback
import TributaryLearning

/// Serving on the edge: the served model, its atomic swap, the predictor that logs, the offline
/// batch reader, and live outcomes feeding the triggers and the Update's metrics.
@Suite struct ServingTests {
    static func checkpoint(version: UInt64, seed: UInt64, outputs: Int = 3) throws -> Checkpoint {
        var checkpoint = try Checkpoint.fresh(spec: try ModelSpec.mlp(input: 4, hidden: [8], outputs: outputs), seed: seed)
        checkpoint.metadata[ModelAdoption.versionKey] = "\(version)"
        return checkpoint
    }

    static func store(featureCount: Int = 4, classCount: Int = 3) throws -> FeedbackStore {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("serving-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return try FeedbackStore(path: dir + "/feedback.sqlite", configuration: .init(featureCount: featureCount, classCount: classCount))
    }

    static func reason(_ body: () throws -> Void) -> String {
        do { try body(); return "accepted" } catch let error as FeedbackError { return "\(error.code): \(error.reason)" } catch { return "\(error)" }
    }

    @Test func servesTheClassesEvaluationPredictsWithProbabilities() throws {
        let checkpoint = try Self.checkpoint(version: 3, seed: 1)
        let model = try ServedModel(checkpoint: checkpoint)
        let data = EdgeSamples.data(count: 300, seed: 9)  // more than one forward chunk
        let outputs = try model.outputs((0..<data.count).map { Array(data.row($0)) })
        #expect(outputs.map { Int($0.predictedClass) } == Evaluation.predictions(try checkpoint.model(), on: data))
        for output in outputs {
            #expect(abs(output.probabilities.reduce(0, +) - 1) < 1e-5 && output.probabilities.count == 3)
            #expect(output.probabilities.firstIndex(of: output.probabilities.max()!) == Int(output.predictedClass))
        }
        #expect(model.version == 3 && model.featureCount == 4)
        #expect(Self.reason { _ = try model.outputs([[1, 2, 3]]) } == "invalidRecord: features: 3 features, the model (version 3) takes 4")
        #expect(Self.reason { _ = try model.outputs([[1, 2, 3, 4], [1, 2, 3, 4, 5]]) } == "invalidRecord: instances[1]: 5 features, the model (version 3) takes 4")
        #expect(Self.reason { _ = try model.outputs([[1, .infinity, 3, 4]]) } == "invalidRecord: features[1]: inf is not a finite number")
    }

    @Test func aOneOutputBinaryModelAnswersTwoProbabilities() throws {
        var checkpoint = try Checkpoint.fresh(spec: try ModelSpec(inputSize: 2, layers: [.init(units: 1, activation: .identity)], loss: .binaryCrossEntropy), seed: 2)
        checkpoint.metadata[ModelAdoption.versionKey] = "1"
        let output = try #require(try ServedModel(checkpoint: checkpoint).outputs([[0.5, -1]]).first)
        #expect(output.probabilities.count == 2 && abs(output.probabilities[0] + output.probabilities[1] - 1) < 1e-6)
        #expect(Int(output.predictedClass) == (output.probabilities[1] > 0.5 ? 1 : 0))
    }

    @Test func thePredictorLogsEveryAnswerAndRefusesWithoutAModel() throws {
        let store = try Self.store()
        let slot = ServingSlot()
        let predictor = Predictor(slot: slot, store: store)
        #expect(Self.reason { _ = try predictor.predict([[1, 2, 3, 4]]) }.hasPrefix("noModel: no model to serve yet"))
        #expect(predictor.servedVersion == nil)
        let checkpoint = try Self.checkpoint(version: 5, seed: 3)
        #expect(try slot.serve(checkpoint))
        #expect(try !slot.serve(checkpoint), "the same model again changes nothing")
        let answers = try predictor.predict([[1, 2, 3, 4], [0, 0, 0, 1]])
        #expect(answers.map(\.id) == [1, 2] && answers.allSatisfy { $0.modelVersion == 5 })
        #expect(try store.predictions.prediction(2)?.features == [0, 0, 0, 1])
        #expect(try store.predictions.prediction(2)?.predictedClass == answers[1].predictedClass)
        #expect(try Predictor(slot: slot, store: nil).predict([[1, 2, 3, 4]]).map(\.id) == [0], "no store: not logged")
        #expect(Self.reason { _ = try predictor.predict([]) } == "invalidRecord: instances: empty; send at least one")
        let narrow = Predictor(slot: slot, store: try Self.store(featureCount: 3))
        #expect(Self.reason { _ = try narrow.predict([[1, 2, 3, 4]]) }
            == "noModel: the served model (version 5) takes 4 features but the feedback store holds 3 (feedback.features)")
    }

    /// Predictions run on several threads while the served model is swapped back and forth:
    /// every answer is exactly model A's or model B's for its whole batch, and says which.
    @Test func aSwapIsAtomicForConcurrentPredictions() async throws {
        let a = try ServedModel(checkpoint: try Self.checkpoint(version: 1, seed: 11))
        let b = try ServedModel(checkpoint: try Self.checkpoint(version: 2, seed: 12))
        let batch = (0..<16).map { i in (0..<4).map { Float(i) * 0.3 - Float($0) } }
        let expected: [UInt64: [[Float]]] = [1: try a.outputs(batch).map(\.probabilities), 2: try b.outputs(batch).map(\.probabilities)]
        #expect(expected[1] != expected[2])
        let slot = ServingSlot(a)
        let predictor = Predictor(slot: slot, store: nil)
        let mismatches = try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                for i in 0..<2_000 { slot.swap(to: i % 2 == 0 ? b : a) }
                return 0
            }
            for _ in 0..<4 {
                group.addTask {
                    var bad = 0
                    for _ in 0..<300 {
                        let answers = try predictor.predict(batch)
                        let version = answers[0].modelVersion
                        if answers.contains(where: { $0.modelVersion != version }) || answers.map(\.probabilities) != expected[version] { bad += 1 }
                    }
                    return bad
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(mismatches == 0)
    }

    @Test func theBatchReaderTakesFeaturesOrFeaturesAndALabelAndNamesBothCounts() throws {
        let batch = BatchPrediction(model: try ServedModel(checkpoint: try Self.checkpoint(version: 2, seed: 4)))
        let rows = try batch.rows(csv: "a,b,c,d\r\n1,2,3,4\r\n\r\n5,6,7,8\r\n", file: "x.csv")
        #expect(rows.map(\.features) == [[1, 2, 3, 4], [5, 6, 7, 8]] && rows.map(\.line) == [2, 4] && rows.allSatisfy { $0.label == nil })
        let labelled = try batch.rows(csv: "1,2,3,4,0\n5,6,7,8,2\n", file: "y.csv")
        #expect(labelled.map(\.label) == ["0", "2"] && labelled[1].features == [5, 6, 7, 8])
        func refusal(_ text: String) -> String {
            do { _ = try batch.rows(csv: text, file: "z.csv"); return "accepted" } catch let error as EdgeError { return error.reason } catch { return "\(error)" }
        }
        #expect(refusal("1,2,3,4\n1,2,3\n") == "z.csv line 2: 3 columns; the model (version 2) takes 4 features (4 columns, or 5 with a label last)")
        #expect(refusal("1,2,3,4\n1,2,x,4\n") == "z.csv line 2 column 3: 'x' is not a finite number")
        #expect(refusal("1,2,3,4,1\n1,2,3,4\n") == "z.csv line 2: 4 columns; line 1 has 5 (every row with a label, or none)")
        #expect(refusal("a,b,c,d\r\n") == "z.csv: no data rows (the file is empty or holds only a header)")
        #expect(try batch.predict(rows).count == 2)
    }

    // MARK: - Live outcomes in the instance

    static func liveInstance() throws -> EdgeInstance {
        var configuration = EdgeInstanceTests.configuration()
        configuration.triggers.trigger = .init(volumeThreshold: nil, accuracyDropMargin: 0.2, accuracyWindow: 10)
        let status = EdgeDataStatus(trainable: 0, newSinceTraining: 0, newest: 0)
        var checkpoint = try Checkpoint.fresh(spec: EdgeSamples.spec, seed: 5)
        checkpoint.metadata[ModelAdoption.versionKey] = "3"
        var edge = EdgeInstance(configuration: configuration, clientID: "gw-1", held: checkpoint, kept: nil, status: status)
        EdgeInstanceTests.open(&edge)
        return edge
    }

    @Test func liveOutcomesOfTheHeldVersionFeedTheAccuracyDropTrigger() throws {
        var edge = try Self.liveInstance()
        #expect(!edge.liveFeedback)
        let right = [LiveOutcome](repeating: .init(modelVersion: 3, correct: true), count: 10)
        let wrong = [LiveOutcome](repeating: .init(modelVersion: 3, correct: false), count: 10)
        let older = [LiveOutcome](repeating: .init(modelVersion: 2, correct: false), count: 30)
        // The first full window is the accuracy baseline: no trigger, only a report of the live counts.
        let first = edge.handle(.outcomesArrived(right, cursor: 10), now: EdgeInstanceTests.now)
        #expect(EdgeInstanceTests.names(first) == ["emit liveOutcomes(version: 3, outcomes: 10, correct: 10, drift: [:])",
                                                  "send Ready live_report at version 3"])
        #expect(edge.liveFeedback && edge.outcomeCursor == 10)
        #expect(edge.handle(.outcomesArrived(older, cursor: 40), now: EdgeInstanceTests.now).isEmpty, "another version's outcomes say nothing")
        #expect(EdgeInstanceTests.names(edge.handle(.outcomesArrived(wrong, cursor: 50), now: EdgeInstanceTests.now)).dropFirst()
            == ["send Ready accuracy_drop at version 3"])
        #expect(EdgeInstanceTests.names(edge.handle(.arrivalsDue, now: EdgeInstanceTests.now)) == ["read outcomes after 50", "read arrivals after 0"])
    }

    @Test func aLiveReportOfAnEdgeReadyOnlyOnTriggerKeepsWhatItAnnounced() throws {
        var configuration = EdgeInstanceTests.configuration()
        configuration.triggers.readyOnlyOnTrigger = true
        configuration.triggers.trigger = .init(volumeThreshold: 5, accuracyDropMargin: nil, accuracyWindow: 10)
        var checkpoint = try Checkpoint.fresh(spec: EdgeSamples.spec, seed: 5)
        checkpoint.metadata[ModelAdoption.versionKey] = "3"
        var edge = EdgeInstance(configuration: configuration, clientID: "gw-1", held: checkpoint, kept: nil,
                                status: EdgeDataStatus(trainable: 0, newSinceTraining: 0, newest: 0))
        EdgeInstanceTests.open(&edge)
        let right = [LiveOutcome](repeating: .init(modelVersion: 3, correct: true), count: 4)
        #expect(EdgeInstanceTests.names(edge.handle(.outcomesArrived(right, cursor: 4), now: EdgeInstanceTests.now)).dropFirst()
            == ["send not ready (live_report) at version 3"])
        _ = edge.handle(.examplesArrived(EdgeSamples.data(count: 5, seed: 1), cursor: 5), now: EdgeInstanceTests.now)
        #expect(EdgeInstanceTests.names(edge.handle(.outcomesArrived(right, cursor: 8), now: EdgeInstanceTests.now)).dropFirst()
            == ["send Ready volume at version 3"], "a pending trigger stays announced")
    }

    @Test func anEdgeRestartedWithLiveOutcomesReadsOnFromTheNewest() {
        let status = EdgeDataStatus(trainable: 0, newSinceTraining: 0, newest: 7, newestOutcome: 12)
        let edge = EdgeInstance(configuration: EdgeInstanceTests.configuration(), clientID: "gw-1", held: nil, kept: nil, status: status)
        #expect(edge.outcomeCursor == 12 && edge.liveFeedback)
    }

    @Test func theUpdateCarriesTheHeldVersionsLiveAccuracy() throws {
        var edge = try Self.liveInstance()
        let offer = try EdgeSamples.offer(round: 4, version: 3)
        guard case .readWindow(let job, _, _)? = edge.handle(.received(.roundOffer(offer)), now: EdgeInstanceTests.now).last else {
            Issue.record("no window read"); return
        }
        let data = EdgeSamples.data(count: 20, seed: 4)
        let window = EdgeTrainingWindow(data: data, retired: Dataset(featureCount: 4), mark: 20, retiredThrough: 0,
                                        live: [LiveAccuracy(modelVersion: 2, correct: 1, total: 1), LiveAccuracy(modelVersion: 3, correct: 3, total: 4)])
        guard case .train(_, let offered, let trainer)? = edge.handle(.windowRead(job: job, .success(window)), now: EdgeInstanceTests.now).last else {
            Issue.record("no training"); return
        }
        let trained = edge.handle(.trainingFinished(job: job, Result { try trainer.answer(offered) }), now: EdgeInstanceTests.now)
        guard case .saveRound(_, _, let update, _, _)? = trained.last else { Issue.record("\(EdgeInstanceTests.names(trained))"); return }
        #expect(update.metrics["live.accuracy"] == 0.75 && update.metrics["live.examples"] == 4)
        #expect(Set(update.metrics.keys).isSubset(of: EdgeTrainer.metricNames))
    }
}
