import Foundation
import TributaryFeedback

/// Serves the held model to the device's app and logs every answer: what `EdgeAgent.predict`
/// and `POST /v1/predict` call. Each prediction is logged in the feedback store's prediction
/// log (its own quota) with the id feedback references, and may enter the review queue.
public final class Predictor: PredictionServing {
    public let slot: ServingSlot
    /// Where predictions are logged (nil: an agent over data in memory; ids are then 0).
    public let store: FeedbackStore?

    public init(slot: ServingSlot, store: FeedbackStore?) {
        self.slot = slot
        self.store = store
    }

    public var servedVersion: UInt64? { slot.current?.version }

    /// One answer per instance, in order, from one model version.
    /// - Throws: `FeedbackError`: `noModel` before the edge holds a model (or when it takes
    ///   another feature count than the store's, whose examples its logs become); `invalidRecord`
    ///   naming the instance, and both feature counts or the bad value; `storage` when the log
    ///   cannot be written (nothing is answered then).
    public func predict(_ instances: [[Float]]) throws -> [Prediction] {
        guard let model = slot.current else {
            throw FeedbackError(.noModel, "no model to serve yet: this edge has neither adopted a release nor answered a round")
        }
        guard !instances.isEmpty else { throw FeedbackError(.invalidRecord, "instances: empty; send at least one") }
        let outputs = try model.outputs(instances)
        guard let store else {
            return outputs.map { Prediction(id: 0, predictedClass: $0.predictedClass, probabilities: $0.probabilities, modelVersion: model.version) }
        }
        guard model.featureCount == store.configuration.featureCount else {
            // Logged inputs become training examples: they must fit the store.
            throw FeedbackError(.noModel, "the served model (version \(model.version)) takes \(model.featureCount) features but the feedback store holds \(store.configuration.featureCount) (feedback.features)")
        }
        let logged = try store.predictions.log(zip(instances, outputs).map { features, output in
            PredictionLog.NewPrediction(features: features, predictedClass: output.predictedClass, probabilities: output.probabilities,
                                        modelVersion: model.version)
        })
        return logged.map(\.prediction)
    }
}
