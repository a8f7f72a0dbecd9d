import Foundation
import Testing
@testable import TributaryFeedback

/// The prediction log, the review queue and live accuracy, on real SQLite in a temporary directory.
@Suite struct PredictionLogTests {
    static func store(maxExamples: Int? = 100, maxPredictions: Int = 10, confirmWeight: Double = 0.5,
                      review: ReviewPolicy = ReviewPolicy()) throws -> (FeedbackStore, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("prediction-log-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/feedback.sqlite"
        let configuration = FeedbackStore.Configuration(featureCount: 2, classCount: 3, maxExamples: maxExamples, maxPredictions: maxPredictions,
                                                        confirmWeight: confirmWeight, review: review)
        return (try FeedbackStore(path: path, configuration: configuration), path)
    }

    /// A prediction of `predicted` by `version` for inputs [i, i + 0.5].
    static func served(_ i: Int, class predicted: Int32 = 1, version: UInt64 = 1, probabilities: [Float] = [0.1, 0.8, 0.1]) -> PredictionLog.NewPrediction {
        .init(features: [Float(i), Float(i) + 0.5], predictedClass: predicted, probabilities: probabilities, modelVersion: version)
    }

    static func reason(_ body: () throws -> Void) -> String {
        do { try body(); return "accepted" } catch let error as FeedbackError { return "\(error.code): \(error.reason)" } catch { return "\(error)" }
    }

    @Test func loggingTenTimesTheQuotaNeverEvictsALabel() throws {
        let (store, path) = try Self.store(maxExamples: 5, maxPredictions: 10)
        for i in 0..<3 { try store.insert(FeedbackRecord(features: [Float(i), 0], label: 2, provenance: .label)) }
        for batch in 0..<10 { _ = try store.predictions.log((0..<10).map { Self.served(batch * 10 + $0) }) }
        #expect(try store.counts() == FeedbackStore.Counts(stored: 3, trainable: 3, newSinceTraining: 3))
        #expect(try store.predictions.count() == 10)
        #expect(try store.predictions.prediction(90) == nil, "the oldest are dropped")
        #expect(try store.predictions.prediction(100)?.features == [99, 99.5])
        // Reopened, the log and the labels are still apart.
        let reopened = try FeedbackStore(path: path, configuration: store.configuration)
        #expect(try reopened.predictions.count() == 10)
        #expect(try reopened.trainingData(onlyNew: false).data.labels == [2, 2, 2])
    }

    @Test func feedbackOnALoggedPredictionJoinsItsInputs() throws {
        let (store, _) = try Self.store(confirmWeight: 0.25)
        let logged = try store.predictions.log((1...5).map { Self.served($0) })
        #expect(logged.map(\.id) == [1, 2, 3, 4, 5])
        try store.insert(FeedbackRecord(label: 2, provenance: .correction, predictionID: 1))
        try store.insert(FeedbackRecord(label: nil, provenance: .confirm, predictionID: 2))
        try store.insert(FeedbackRecord(label: nil, provenance: .reject, predictionID: 3))
        try store.insert(FeedbackRecord(features: [4, 4.5], label: 0, provenance: .label, predictionID: 4))
        try store.insert(FeedbackRecord(label: nil, provenance: .rating, rating: 5, predictionID: 5))
        let data = try store.trainingData(onlyNew: false).data
        #expect(data.labels == [2, 1, 0, 1], "correction, confirmation, label, rating ≥ 4; the rejection does not train")
        #expect(data.features == [1, 1.5, 2, 2.5, 4, 4.5, 5, 5.5])
        let weights = try store.database.read { db in try Double.fetchAll(db, sql: "SELECT weight FROM example ORDER BY id") }
        #expect(weights == [1, 0.25, 0, 1, 0.25])
        #expect(try store.counts().stored == 5)
    }

    @Test func referencesToUnknownOrDroppedPredictionsAreRefusedNamingTheID() throws {
        let (store, _) = try Self.store(maxPredictions: 2)
        _ = try store.predictions.log((1...3).map { Self.served($0) })
        #expect(Self.reason { try store.insert(FeedbackRecord(label: 0, provenance: .correction, predictionID: 1)) }
            == "unknownPrediction: prediction_id: 1 is not in the prediction log (never served, or dropped as the log's oldest)")
        #expect(Self.reason { try store.insert(FeedbackRecord(label: 0, provenance: .correction, predictionID: 42)) }.contains("prediction_id: 42"))
        let batch = [FeedbackRecord(label: 0, provenance: .label, predictionID: 3), FeedbackRecord(label: 0, provenance: .label, predictionID: 9)]
        #expect(Self.reason { try store.insert(batch) }.hasPrefix("unknownPrediction: record 1: prediction_id: 9"))
        #expect(try store.counts().stored == 0, "a refused batch stores nothing")
        #expect(try store.predictions.liveAccuracy().isEmpty, "nor counts an outcome")
    }

    @Test func theJoinRuleCaseByCase() throws {
        let logged = LoggedPrediction(id: 7, features: [1, 2], predictedClass: 1, probabilities: [0.2, 0.7, 0.1], modelVersion: 3, time: Date())
        func compile(_ record: FeedbackRecord, _ prediction: LoggedPrediction? = logged) throws -> FeedbackJoin.Compiled {
            try FeedbackJoin.compile(record, prediction: prediction, featureCount: 2, classCount: 3, confirmWeight: 0.5)
        }
        func summary(_ record: FeedbackRecord) -> String {
            do {
                let c = try compile(record)
                return "label \(c.label) trains \(c.trainable) weight \(c.weight) outcome \(c.outcome.map { "\($0)" } ?? "none") features \(c.features)"
            } catch let error as FeedbackError {
                return "\(error.code): \(error.reason)"
            } catch {
                return "\(error)"
            }
        }
        let cases: [(FeedbackRecord, String)] = [
            // Records that carry their own example: as before.
            (FeedbackRecord(features: [5, 6], label: 2, provenance: .label), "label 2 trains true weight 1.0 outcome none features [5.0, 6.0]"),
            (FeedbackRecord(features: [5, 6], label: 2, provenance: .inference, modelVersion: 3), "label 2 trains false weight 1.0 outcome none features [5.0, 6.0]"),
            (FeedbackRecord(features: [5, 6], label: 2, provenance: .rating, rating: 4), "label 2 trains true weight 1.0 outcome none features [5.0, 6.0]"),
            (FeedbackRecord(features: [5, 6], label: nil, provenance: .confirm),
             "invalidRecord: provenance 'confirm' needs prediction_id (the logged prediction it is about)"),
            // Records about prediction 7 (class 1, version 3).
            (FeedbackRecord(label: 1, provenance: .label, predictionID: 7), "label 1 trains true weight 1.0 outcome true features [1.0, 2.0]"),
            (FeedbackRecord(label: 0, provenance: .label, predictionID: 7), "label 0 trains true weight 1.0 outcome false features [1.0, 2.0]"),
            (FeedbackRecord(label: 2, provenance: .review, predictionID: 7), "label 2 trains true weight 1.0 outcome false features [1.0, 2.0]"),
            (FeedbackRecord(label: 2, provenance: .correction, predictionID: 7), "label 2 trains true weight 1.0 outcome false features [1.0, 2.0]"),
            (FeedbackRecord(label: 1, provenance: .correction, predictionID: 7),
             "invalidRecord: label: 1 is the class prediction 7 predicted; a correction names another class (use 'confirm')"),
            (FeedbackRecord(label: nil, provenance: .correction, predictionID: 7),
             "invalidRecord: missing field 'label' (the right class for prediction 7)"),
            (FeedbackRecord(label: nil, provenance: .confirm, predictionID: 7), "label 1 trains true weight 0.5 outcome true features [1.0, 2.0]"),
            (FeedbackRecord(label: nil, provenance: .reject, predictionID: 7), "label 1 trains false weight 0.0 outcome false features [1.0, 2.0]"),
            (FeedbackRecord(label: 2, provenance: .confirm, predictionID: 7),
             "invalidRecord: label: 2 is not taken with provenance 'confirm' (it is about the predicted class of prediction 7)"),
            (FeedbackRecord(label: nil, provenance: .rating, rating: 5, predictionID: 7), "label 1 trains true weight 0.5 outcome true features [1.0, 2.0]"),
            (FeedbackRecord(label: nil, provenance: .rating, rating: 3, predictionID: 7), "label 1 trains false weight 0.0 outcome none features [1.0, 2.0]"),
            (FeedbackRecord(label: nil, provenance: .rating, rating: 1, predictionID: 7), "label 1 trains false weight 0.0 outcome false features [1.0, 2.0]"),
            (FeedbackRecord(label: 0, provenance: .rating, rating: 5, predictionID: 7),
             "invalidRecord: label: 0, but a rating is about the predicted class 1 of prediction 7"),
            (FeedbackRecord(label: nil, provenance: .rating, predictionID: 7),
             "invalidRecord: rating: missing must be a number from 1 to 5 for provenance 'rating'"),
            (FeedbackRecord(label: 1, provenance: .inference, predictionID: 7),
             "invalidRecord: provenance 'inference' with prediction_id 7: the prediction is logged already; send label, correction, confirm, reject or rating"),
            (FeedbackRecord(features: [1, 3], label: 1, provenance: .label, predictionID: 7),
             "invalidRecord: features: differ from the inputs logged for prediction 7; omit them to use the logged ones"),
            (FeedbackRecord(label: 1, provenance: .label, modelVersion: 2, predictionID: 7),
             "invalidRecord: model_version: 2, but prediction 7 was made by version 3"),
            (FeedbackRecord(label: 5, provenance: .label, predictionID: 7), "invalidRecord: label: 5 is not a known class (0..<3)"),
        ]
        for (record, expected) in cases {
            #expect(summary(record) == expected, "\(record)")
        }
        #expect(throws: FeedbackError(.unknownPrediction, "")) { try compile(FeedbackRecord(label: 1, provenance: .label, predictionID: 8), nil) }
        #expect(try compile(FeedbackRecord(label: nil, provenance: .confirm, predictionID: 7)).modelVersion == 3)
        let noWeight = try FeedbackJoin.compile(FeedbackRecord(label: nil, provenance: .confirm, predictionID: 7), prediction: logged,
                                                featureCount: 2, classCount: 3, confirmWeight: 0)
        #expect(!noWeight.trainable, "confirm_weight 0: a confirmation counts as right but does not train")
    }

    @Test func theReviewQueueIsBoundedAndAReviewTrains() throws {
        let policy = ReviewPolicy(confidence: .maxProbability, threshold: 0.6, maxQueue: 3)
        let (store, _) = try Self.store(maxPredictions: 100, review: policy)
        // Confident predictions stay out; five unsure ones go in, the oldest two are dropped.
        _ = try store.predictions.log([Self.served(0, probabilities: [0.05, 0.9, 0.05])])
        _ = try store.predictions.log((1...5).map { Self.served($0, probabilities: [0.3, 0.4, 0.3]) })
        #expect(try store.predictions.reviewQueue().map(\.id) == [4, 5, 6])
        #expect(try store.predictions.reviewCounts() == ReviewCounts(queued: 3, dropped: 2, reviewed: 0))
        let queued = try #require(try store.predictions.reviewQueue().first)
        #expect(queued.features == [3, 3.5] && queued.predictedClass == 1 && queued.probabilities == [0.3, 0.4, 0.3] && queued.modelVersion == 1)
        try store.predictions.review(5, label: 2)
        #expect(try store.predictions.reviewQueue().map(\.id) == [4, 6])
        #expect(try store.predictions.reviewCounts() == ReviewCounts(queued: 2, dropped: 2, reviewed: 1))
        let data = try store.trainingData(onlyNew: false).data
        #expect(data.labels == [2] && data.features == [4, 4.5], "a reviewed label trains like any other")
        #expect(Self.reason { try store.predictions.review(5, label: 2) }.hasPrefix("unknownPrediction: prediction 5 is not in the review queue"))
        #expect(Self.reason { try store.predictions.review(4, label: 9) } == "invalidRecord: label: 9 is not a known class (0..<3)")
        #expect(try store.predictions.reviewQueue().map(\.id) == [4, 6], "a refused review leaves the queue as it was")
    }

    @Test func predictionsLeavingTheLogLeaveTheQueueAsDropped() throws {
        let (store, _) = try Self.store(maxPredictions: 2, review: ReviewPolicy(threshold: 1))
        _ = try store.predictions.log((1...5).map { Self.served($0) })
        #expect(try store.predictions.reviewQueue().map(\.id) == [4, 5])
        #expect(try store.predictions.reviewCounts() == ReviewCounts(queued: 2, dropped: 3, reviewed: 0))
    }

    @Test func theRandomSampleIsSeededAndNearItsRate() throws {
        let policy = ReviewPolicy(sampleRate: 0.2, seed: 11)
        let picked = (1...2_000).filter { policy.selects(predictionID: Int64($0), probabilities: [0.01, 0.99]) }
        #expect(picked == (1...2_000).filter { ReviewPolicy(sampleRate: 0.2, seed: 11).selects(predictionID: Int64($0), probabilities: [0.5]) })
        #expect((300...500).contains(picked.count), "\(picked.count) of 2000 at rate 0.2")
        #expect(picked != (1...2_000).filter { ReviewPolicy(sampleRate: 0.2, seed: 12).selects(predictionID: Int64($0), probabilities: [0.5]) })
        #expect(ReviewPolicy(confidence: .margin).confidence(of: [0.5, 0.3, 0.2]) == Double(Float(0.5) - Float(0.3)))
        #expect(ReviewPolicy(confidence: .maxProbability).confidence(of: [0.5, 0.3, 0.2]) == Double(Float(0.5)))
        #expect(ReviewPolicy(confidence: .margin, threshold: 0.25).selects(predictionID: 1, probabilities: [0.5, 0.3, 0.2]))
        #expect(!ReviewPolicy(confidence: .maxProbability, threshold: 0.25).selects(predictionID: 1, probabilities: [0.5, 0.3, 0.2]))
    }

    @Test func liveAccuracyIsKeptPerVersionFromTheFirstFeedbackOnEachPrediction() throws {
        let (store, path) = try Self.store()
        _ = try store.predictions.log((1...3).map { Self.served($0, version: 1) } + (4...5).map { Self.served($0, version: 2) })
        try store.insert(FeedbackRecord(label: nil, provenance: .confirm, predictionID: 1))
        try store.insert(FeedbackRecord(label: 0, provenance: .correction, predictionID: 2))
        try store.insert(FeedbackRecord(label: 1, provenance: .label, predictionID: 3))
        try store.insert(FeedbackRecord(label: nil, provenance: .reject, predictionID: 4))
        try store.insert(FeedbackRecord(label: 2, provenance: .correction, predictionID: 1))  // a second word on 1: stored, not counted
        try store.insert(FeedbackRecord(label: nil, provenance: .rating, rating: 3, predictionID: 5))  // neither right nor wrong
        #expect(try store.predictions.liveAccuracy() == [LiveAccuracy(modelVersion: 1, correct: 2, total: 3), LiveAccuracy(modelVersion: 2, correct: 0, total: 1)])
        #expect(try store.predictions.prediction(1)?.outcome == true)
        #expect(try store.predictions.prediction(2)?.outcome == false)
        #expect(try store.predictions.prediction(5)?.outcome == nil)
        let (outcomes, cursor) = try store.predictions.outcomes(after: 0, limit: 100)
        #expect(outcomes.map(\.correct) == [true, false, true, false])
        #expect(outcomes.map(\.modelVersion) == [1, 1, 1, 2])
        #expect(try store.predictions.outcomes(after: cursor, limit: 100).outcomes.isEmpty)
        #expect(try store.predictions.outcomes(after: 2, limit: 1).outcomes == [LiveOutcome(modelVersion: 1, correct: true)])
        let reopened = try FeedbackStore(path: path, configuration: store.configuration)
        #expect(try reopened.predictions.liveAccuracy().map(\.accuracy) == [2.0 / 3.0, 0])
        #expect(try reopened.predictions.newestOutcomeID() == 4)
    }
}
