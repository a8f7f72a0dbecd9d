import TributaryLearning

/// Where a labelled example came from on the device.
public enum Provenance: String, Sendable, Codable, CaseIterable {
    /// The model's own prediction, posted by the app with the model version. Superseded by the
    /// prediction log of `POST /v1/predict` (every served prediction is logged with an id that
    /// feedback references); still accepted, never trained on unless a rating confirms it.
    case inference
    /// An explicit label from the device's user or sensor ground truth.
    case label
    /// The user corrected a prediction.
    case correction
    /// The user rated a prediction (1–5); ratings of 4 and up confirm the predicted label.
    case rating
    /// A human reviewer's label.
    case review
    /// The user confirmed a logged prediction (implicit feedback; needs `prediction_id`).
    case confirm
    /// The user rejected a logged prediction without saying the right class (needs `prediction_id`).
    case reject
}

/// One piece of feedback as the device's app posts it: either a whole example (features and
/// label), or a reference to a logged prediction (`prediction_id`) whose inputs become the
/// example. ``FeedbackJoin`` is the one rule that turns either into training data.
public struct FeedbackRecord: Sendable, Equatable, Codable {
    /// The example's inputs; may be omitted (empty) when `predictionID` names a logged prediction.
    public var features: [Float]
    /// The class; nil for `confirm` and `reject`, and for a `rating` of a logged prediction.
    public var label: Int32?
    public var provenance: Provenance
    /// The model version that made the prediction (inference, correction, rating).
    public var modelVersion: UInt64?
    /// 1–5, with `rating` provenance.
    public var rating: Double?
    /// The logged prediction this feedback is about (`POST /v1/predict` answered its id).
    public var predictionID: Int64?

    public init(features: [Float] = [], label: Int32?, provenance: Provenance, modelVersion: UInt64? = nil,
                rating: Double? = nil, predictionID: Int64? = nil) {
        self.features = features
        self.label = label
        self.provenance = provenance
        self.modelVersion = modelVersion
        self.rating = rating
        self.predictionID = predictionID
    }

    enum CodingKeys: String, CodingKey {
        case features, label, provenance, rating
        case modelVersion = "model_version"
        case predictionID = "prediction_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        features = try container.decodeIfPresent([Float].self, forKey: .features) ?? []
        label = try container.decodeIfPresent(Int32.self, forKey: .label)
        provenance = try container.decode(Provenance.self, forKey: .provenance)
        modelVersion = try container.decodeIfPresent(UInt64.self, forKey: .modelVersion)
        rating = try container.decodeIfPresent(Double.self, forKey: .rating)
        predictionID = try container.decodeIfPresent(Int64.self, forKey: .predictionID)
    }

    /// True when the example may train the model (a record without a prediction reference).
    public var isTrainable: Bool {
        switch provenance {
        case .label, .correction, .review: true
        case .rating: (rating ?? 0) >= 4
        case .inference, .confirm, .reject: false
        }
    }

    /// Checks a record that carries its own example fits the model; the error names the field
    /// and the value. (A record with `predictionID` is checked by ``FeedbackJoin``.)
    public func validate(featureCount: Int, classCount: Int) throws {
        if provenance == .confirm || provenance == .reject {
            throw FeedbackError(.invalidRecord, "provenance '\(provenance.rawValue)' needs prediction_id (the logged prediction it is about)")
        }
        guard !features.isEmpty else { throw FeedbackError(.invalidRecord, "missing field 'features'") }
        guard let label else { throw FeedbackError(.invalidRecord, "missing field 'label'") }
        try validate(features: features, featureCount: featureCount)
        try Self.validate(label: label, classCount: classCount)
        if let modelVersion, Int64(exactly: modelVersion) == nil {
            throw FeedbackError(.invalidRecord, "model_version: \(modelVersion) is over \(Int64.max), the largest version number stored")
        }
        try validateRating()
    }

    func validate(features: [Float], featureCount: Int) throws {
        guard features.count == featureCount else {
            throw FeedbackError(.invalidRecord, "features: \(features.count) values, the model takes \(featureCount)")
        }
        if let bad = features.firstIndex(where: { !$0.isFinite }) {
            throw FeedbackError(.invalidRecord, "features[\(bad)]: \(features[bad]) is not a finite number")
        }
    }

    static func validate(label: Int32, classCount: Int) throws {
        guard (0..<Int32(classCount)).contains(label) else {
            throw FeedbackError(.invalidRecord, "label: \(label) is not a known class (0..<\(classCount))")
        }
    }

    func validateRating() throws {
        if provenance == .rating {
            guard let rating, (1...5).contains(rating) else {
                throw FeedbackError(.invalidRecord, "rating: \(rating.map { "\($0)" } ?? "missing") must be a number from 1 to 5 for provenance 'rating'")
            }
        } else if let rating {
            throw FeedbackError(.invalidRecord, "rating: \(rating) is only allowed with provenance 'rating', not '\(provenance.rawValue)'")
        }
    }
}
