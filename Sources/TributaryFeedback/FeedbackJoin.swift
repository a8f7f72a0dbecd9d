/// The one rule "feedback → dataset": what a piece of feedback stores, whether it trains, with
/// which weight, and what it says about the prediction it references (the live-accuracy outcome).
///
/// A record without `prediction_id` carries its own example (features and label), as before:
///
/// | provenance | trains | outcome |
/// |---|---|---|
/// | label, correction, review | yes | – |
/// | rating | when rating ≥ 4 | – |
/// | inference | never (superseded by the prediction log) | – |
/// | confirm, reject | refused: they need `prediction_id` | |
///
/// A record with `prediction_id` takes the logged prediction's inputs (its `features` may be
/// omitted; when given they must equal the logged ones) and model version:
///
/// | provenance | label stored | trains (weight) | outcome for the prediction's version |
/// |---|---|---|---|
/// | label, review | the given label | yes (1) | right when the label equals the predicted class |
/// | correction | the given label, which must differ from the predicted class | yes (1) | wrong |
/// | confirm | the predicted class | when `confirmWeight` > 0 (`confirmWeight`) | right |
/// | reject | the predicted class (kept for the record) | never | wrong |
/// | rating | the predicted class (a given label must equal it) | when rating ≥ 4 (`confirmWeight`, as a confirmation) | ≥ 4 right, ≤ 2 wrong, 3 none |
/// | inference | refused: the prediction is logged already | | |
///
/// Only the first feedback on a prediction sets its outcome (prequential accuracy counts each
/// served prediction once); later feedback still stores its example.
public enum FeedbackJoin {
    /// What one record becomes.
    public struct Compiled: Sendable, Equatable {
        public var features: [Float]
        public var label: Int32
        public var provenance: Provenance
        public var modelVersion: UInt64?
        public var rating: Double?
        public var trainable: Bool
        /// The example's weight in training (stored; the trainer takes every trainable example at
        /// weight 1 today, and an example of weight 0 does not train).
        public var weight: Double
        public var predictionID: Int64?
        /// Right (true) or wrong (false) for the referenced prediction; nil when it says neither.
        public var outcome: Bool?

        public init(features: [Float], label: Int32, provenance: Provenance, modelVersion: UInt64? = nil, rating: Double? = nil,
                    trainable: Bool, weight: Double = 1, predictionID: Int64? = nil, outcome: Bool? = nil) {
            self.features = features
            self.label = label
            self.provenance = provenance
            self.modelVersion = modelVersion
            self.rating = rating
            self.trainable = trainable
            self.weight = weight
            self.predictionID = predictionID
            self.outcome = outcome
        }
    }

    /// Compiles `record` against the logged prediction it references (nil when it references none).
    /// - Throws: `FeedbackError` `invalidRecord` naming the field and the value, or
    ///   `unknownPrediction` naming the id when `record.predictionID` is set and `prediction` is nil.
    public static func compile(_ record: FeedbackRecord, prediction: LoggedPrediction?, featureCount: Int, classCount: Int,
                               confirmWeight: Double) throws -> Compiled {
        guard let id = record.predictionID else {
            try record.validate(featureCount: featureCount, classCount: classCount)
            return Compiled(features: record.features, label: record.label!, provenance: record.provenance, modelVersion: record.modelVersion,
                            rating: record.rating, trainable: record.isTrainable)
        }
        guard let prediction, prediction.id == id else {
            throw FeedbackError(.unknownPrediction, "prediction_id: \(id) is not in the prediction log (never served, or dropped as the log's oldest)")
        }
        if !record.features.isEmpty, record.features != prediction.features {
            throw FeedbackError(.invalidRecord, "features: differ from the inputs logged for prediction \(id); omit them to use the logged ones")
        }
        if let version = record.modelVersion, version != prediction.modelVersion {
            throw FeedbackError(.invalidRecord, "model_version: \(version), but prediction \(id) was made by version \(prediction.modelVersion)")
        }
        try record.validateRating()
        // The log holds what the served model took; an example must fit the store's shape too.
        try record.validate(features: prediction.features, featureCount: featureCount)
        let predicted = prediction.predictedClass
        var compiled = Compiled(features: prediction.features, label: predicted, provenance: record.provenance,
                                modelVersion: prediction.modelVersion, rating: record.rating, trainable: false, predictionID: id)
        switch record.provenance {
        case .label, .review, .correction:
            guard let label = record.label else { throw FeedbackError(.invalidRecord, "missing field 'label' (the right class for prediction \(id))") }
            try FeedbackRecord.validate(label: label, classCount: classCount)
            if record.provenance == .correction, label == predicted {
                throw FeedbackError(.invalidRecord, "label: \(label) is the class prediction \(id) predicted; a correction names another class (use 'confirm')")
            }
            compiled.label = label
            compiled.trainable = true
            compiled.outcome = label == predicted
        case .confirm:
            try refuseLabel(record, id: id)
            compiled.weight = confirmWeight
            compiled.trainable = confirmWeight > 0
            compiled.outcome = true
        case .reject:
            try refuseLabel(record, id: id)
            compiled.weight = 0
            compiled.outcome = false
        case .rating:
            if let label = record.label, label != predicted {
                throw FeedbackError(.invalidRecord, "label: \(label), but a rating is about the predicted class \(predicted) of prediction \(id)")
            }
            let rating = record.rating!
            compiled.weight = rating >= 4 ? confirmWeight : 0
            compiled.trainable = rating >= 4 && confirmWeight > 0
            compiled.outcome = rating >= 4 ? true : rating <= 2 ? false : nil
        case .inference:
            throw FeedbackError(.invalidRecord, "provenance 'inference' with prediction_id \(id): the prediction is logged already; send label, correction, confirm, reject or rating")
        }
        try FeedbackRecord.validate(label: compiled.label, classCount: classCount)
        return compiled
    }

    private static func refuseLabel(_ record: FeedbackRecord, id: Int64) throws {
        if let label = record.label {
            throw FeedbackError(.invalidRecord, "label: \(label) is not taken with provenance '\(record.provenance.rawValue)' (it is about the predicted class of prediction \(id))")
        }
    }
}
