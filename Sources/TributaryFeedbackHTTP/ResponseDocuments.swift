import TributaryFeedback

// The JSON documents the endpoint answers (keys sorted by `FeedbackAPI.json`).

/// `POST /v1/predict`'s answer.
struct PredictionsDocument: Encodable {
    var predictions: [Prediction]
}

/// One prediction waiting in the review queue (`GET /v1/review`).
struct ReviewItemDocument: Encodable {
    var id: Int64
    var features: [Float]
    var predictedClass: Int32
    var probabilities: [Float]
    var modelVersion: UInt64
    var time: Double

    init(_ logged: LoggedPrediction) {
        id = logged.id
        features = logged.features
        predictedClass = logged.predictedClass
        probabilities = logged.probabilities
        modelVersion = logged.modelVersion
        time = logged.time.timeIntervalSince1970
    }

    enum CodingKeys: String, CodingKey {
        case id, features, probabilities, time
        case predictedClass = "class"
        case modelVersion = "model_version"
    }
}

/// One version's live accuracy.
struct LiveFiguresDocument: Encodable {
    var modelVersion: UInt64
    var accuracy: Double?
    var correct: Int
    var total: Int

    init(_ live: LiveAccuracy) {
        modelVersion = live.modelVersion
        accuracy = live.accuracy
        correct = live.correct
        total = live.total
    }

    enum CodingKeys: String, CodingKey {
        case accuracy, correct, total
        case modelVersion = "model_version"
    }
}

/// `GET /v1/status`.
struct StatusDocument: Encodable {
    struct Review: Encodable {
        var queued: Int, dropped: Int, reviewed: Int
    }

    struct Live: Encodable {
        /// The served version's figures (null before its first feedback, or with no model).
        var current: LiveFiguresDocument?
        var versions: [LiveFiguresDocument]

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(current, forKey: .current)
            try container.encode(versions, forKey: .versions)
        }

        enum CodingKeys: String, CodingKey { case current, versions }
    }

    var stored: Int
    var trainable: Int
    var newSinceTraining: Int
    var predictionsLogged: Int
    var modelVersion: UInt64?
    var review: Review
    var liveAccuracy: Live

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(stored, forKey: .stored)
        try container.encode(trainable, forKey: .trainable)
        try container.encode(newSinceTraining, forKey: .newSinceTraining)
        try container.encode(predictionsLogged, forKey: .predictionsLogged)
        try container.encode(modelVersion, forKey: .modelVersion)
        try container.encode(review, forKey: .review)
        try container.encode(liveAccuracy, forKey: .liveAccuracy)
    }

    enum CodingKeys: String, CodingKey {
        case stored, trainable, review
        case newSinceTraining = "new_since_training"
        case predictionsLogged = "predictions_logged"
        case modelVersion = "model_version"
        case liveAccuracy = "live_accuracy"
    }
}
