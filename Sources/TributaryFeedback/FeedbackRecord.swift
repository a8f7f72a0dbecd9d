import TributaryLearning

/// Where a labelled example came from on the device.
public enum Provenance: String, Sendable, Codable, CaseIterable {
    /// The model's own prediction, logged with the model version; trusted for training only when
    /// a rating confirms it.
    case inference
    /// An explicit label from the device's user or sensor ground truth.
    case label
    /// The user corrected a prediction.
    case correction
    /// The user rated a prediction (1–5); ratings of 4 and up confirm the predicted label.
    case rating
    /// A human reviewer's label.
    case review
}

/// One piece of feedback as the device's app posts it.
public struct FeedbackRecord: Sendable, Equatable, Codable {
    public var features: [Float]
    public var label: Int32
    public var provenance: Provenance
    /// The model version that made the prediction (inference, correction, rating).
    public var modelVersion: UInt64?
    /// 1–5, with `rating` provenance.
    public var rating: Double?

    public init(features: [Float], label: Int32, provenance: Provenance, modelVersion: UInt64? = nil, rating: Double? = nil) {
        self.features = features
        self.label = label
        self.provenance = provenance
        self.modelVersion = modelVersion
        self.rating = rating
    }

    enum CodingKeys: String, CodingKey {
        case features, label, provenance, rating
        case modelVersion = "model_version"
    }

    /// True when the example may train the model.
    public var isTrainable: Bool {
        switch provenance {
        case .label, .correction, .review: true
        case .rating: (rating ?? 0) >= 4
        case .inference: false
        }
    }

    /// Checks the record fits the model; the error names the field and the value.
    public func validate(featureCount: Int, classCount: Int) throws {
        guard features.count == featureCount else {
            throw FeedbackError(.invalidRecord, "features: \(features.count) values, the model takes \(featureCount)")
        }
        if let bad = features.firstIndex(where: { !$0.isFinite }) {
            throw FeedbackError(.invalidRecord, "features[\(bad)]: \(features[bad]) is not a finite number")
        }
        guard (0..<Int32(classCount)).contains(label) else {
            throw FeedbackError(.invalidRecord, "label: \(label) is not a known class (0..<\(classCount))")
        }
        if let modelVersion, Int64(exactly: modelVersion) == nil {
            throw FeedbackError(.invalidRecord, "model_version: \(modelVersion) is over \(Int64.max), the largest version number stored")
        }
        if provenance == .rating {
            guard let rating, (1...5).contains(rating) else {
                throw FeedbackError(.invalidRecord, "rating: \(rating.map { "\($0)" } ?? "missing") must be a number from 1 to 5 for provenance 'rating'")
            }
        } else if let rating {
            throw FeedbackError(.invalidRecord, "rating: \(rating) is only allowed with provenance 'rating', not '\(provenance.rawValue)'")
        }
    }
}
