import Foundation

/// One served prediction as the app receives it (`POST /v1/predict`, `EdgeAgent.predict`).
public struct Prediction: Sendable, Equatable, Codable {
    /// The id feedback and reviews reference (`prediction_id`); 0 when the prediction was not
    /// logged (no feedback store: an agent over data in memory).
    public var id: Int64
    public var predictedClass: Int32
    /// One per class (softmax; for a one-output binary model [1 − p, p]).
    public var probabilities: [Float]
    public var modelVersion: UInt64

    public init(id: Int64, predictedClass: Int32, probabilities: [Float], modelVersion: UInt64) {
        self.id = id
        self.predictedClass = predictedClass
        self.probabilities = probabilities
        self.modelVersion = modelVersion
    }

    enum CodingKeys: String, CodingKey {
        case id, probabilities
        case predictedClass = "class"
        case modelVersion = "model_version"
    }
}

/// A prediction as the store logged it: the inputs, the answer, the version, the time, and the
/// outcome once feedback arrived (true: right, false: wrong, nil: no feedback yet).
public struct LoggedPrediction: Sendable, Equatable {
    public var id: Int64
    public var features: [Float]
    public var predictedClass: Int32
    public var probabilities: [Float]
    public var modelVersion: UInt64
    public var time: Date
    public var outcome: Bool?

    public init(id: Int64, features: [Float], predictedClass: Int32, probabilities: [Float], modelVersion: UInt64,
                time: Date, outcome: Bool? = nil) {
        self.id = id
        self.features = features
        self.predictedClass = predictedClass
        self.probabilities = probabilities
        self.modelVersion = modelVersion
        self.time = time
        self.outcome = outcome
    }

    /// The answer the app received.
    public var prediction: Prediction {
        Prediction(id: id, predictedClass: predictedClass, probabilities: probabilities, modelVersion: modelVersion)
    }
}

/// What serves predictions to the loopback endpoint: the edge agent's predictor (the held
/// model, logging every answer in the store). Errors are ``FeedbackError``: `noModel` (no model
/// held yet), `invalidRecord` (naming the instance, the field and the value).
public protocol PredictionServing: Sendable {
    func predict(_ instances: [[Float]]) throws -> [Prediction]
    /// The version served now (nil: no model yet).
    var servedVersion: UInt64? { get }
}
