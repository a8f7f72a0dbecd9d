import Foundation
import Testing
import TributaryFeedback
import TributaryFeedbackHTTP

/// `POST /v1/predict`, feedback on predictions, the review queue and live accuracy in
/// `/v1/status`, through `FeedbackAPI` alone (no sockets).
@Suite struct ServingAPITests {
    /// Predicts the class of the larger of two features (class 2 when they are equal, with low
    /// confidence), and logs like the edge's predictor.
    struct StubPredictor: PredictionServing {
        let store: FeedbackStore
        let version: UInt64?

        var servedVersion: UInt64? { version }

        func predict(_ instances: [[Float]]) throws -> [Prediction] {
            guard let version else { throw FeedbackError(.noModel, "no model to serve yet") }
            for (index, features) in instances.enumerated() where features.count != 2 {
                throw FeedbackError(.invalidRecord, "instances[\(index)]: \(features.count) features, the model (version \(version)) takes 2")
            }
            return try store.predictions.log(instances.map { x in
                let predicted: Int32 = x[0] > x[1] ? 0 : x[0] < x[1] ? 1 : 2
                let probabilities: [Float] = predicted == 2 ? [0.3, 0.3, 0.4] : predicted == 0 ? [0.9, 0.05, 0.05] : [0.05, 0.9, 0.05]
                return .init(features: x, predictedClass: predicted, probabilities: probabilities, modelVersion: version)
            }).map(\.prediction)
        }
    }

    static func api(version: UInt64? = 4) throws -> FeedbackAPI {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("serving-api-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let store = try FeedbackStore(path: dir + "/f.sqlite", configuration: .init(
            featureCount: 2, classCount: 3, review: ReviewPolicy(threshold: 0.5, maxQueue: 10)))
        return FeedbackAPI(store: store, predictor: StubPredictor(store: store, version: version))
    }

    static func post(_ api: FeedbackAPI, _ path: String, _ json: String) -> FeedbackAPI.Response {
        api.handle(method: "POST", path: path, contentType: "application/json", body: Array(json.utf8))
    }

    static func get(_ api: FeedbackAPI, _ path: String) -> FeedbackAPI.Response {
        api.handle(method: "GET", path: path, contentType: nil, body: [])
    }

    static func error(_ response: FeedbackAPI.Response) -> String? {
        (try? JSONDecoder().decode([String: String].self, from: Data(response.body.utf8)))?["error"]
    }

    @Test func predictsOneOrABatchWithIDsVersionAndProbabilities() throws {
        let api = try Self.api()
        #expect(Self.post(api, "/v1/predict", #"{"features": [2, 1]}"#)
            == .init(status: 200, body: #"{"predictions":[{"class":0,"id":1,"model_version":4,"probabilities":[0.9,0.05,0.05]}]}"#))
        let batch = Self.post(api, "/v1/predict", #"{"instances": [[0, 1], [3, 3]]}"#)
        #expect(batch.status == 200)
        #expect(batch.body.contains(#""class":1,"id":2"#) && batch.body.contains(#""class":2,"id":3"#))
        #expect(try api.store.predictions.count() == 3)
        #expect(try api.store.counts().stored == 0, "logging stores no example")
    }

    @Test func refusesBadInstancesNamingTheFieldAndTheValue() throws {
        let api = try Self.api()
        let cases: [(String, Int, String)] = [
            (#"{"features": [1, 2, 3]}"#, 400, "instances[0]: 3 features, the model (version 4) takes 2"),
            (#"{"instances": [[1, 2], [1]]}"#, 400, "instances[1]: 1 features, the model (version 4) takes 2"),
            (#"{"features": [1, "x"]}"#, 400, "field 'features[1]' is \"x\"; must be a number"),
            (#"{"instances": [[1, 2], 7]}"#, 400, "field 'instances[1]' is 7; must be an array of numbers"),
            (#"{"instances": []}"#, 400, "field 'instances' is []; must be a non-empty array of arrays of numbers"),
            (#"{"feature": [1, 2]}"#, 400, "missing field 'features' (one instance) or 'instances' (a batch)"),
            ("[1, 2]", 400, "body is [1,2]; must be a JSON object: {\"features\": [...]} or {\"instances\": [[...], ...]}"),
        ]
        for (body, status, message) in cases {
            let response = Self.post(api, "/v1/predict", body)
            #expect(response.status == status && Self.error(response) == message, "\(body): \(response)")
        }
        #expect(api.handle(method: "POST", path: "/v1/predict", contentType: "text/plain", body: Array("{}".utf8)).status == 415)
        #expect(Self.get(api, "/v1/predict").status == 405)
        #expect(try api.store.predictions.count() == 0)
    }

    @Test func answers503BeforeTheEdgeHoldsAModel() throws {
        let api = try Self.api(version: nil)
        let response = Self.post(api, "/v1/predict", #"{"features": [1, 2]}"#)
        #expect(response.status == 503 && Self.error(response) == "no model to serve yet")
        let bare = FeedbackAPI(store: api.store)
        #expect(Self.post(bare, "/v1/predict", #"{"features": [1, 2]}"#).status == 503)
    }

    @Test func feedbackOnPredictionsReviewsAndLiveAccuracyInStatus() throws {
        let api = try Self.api()
        _ = Self.post(api, "/v1/predict", #"{"instances": [[2, 1], [0, 1], [3, 3], [5, 1]]}"#)
        #expect(Self.post(api, "/v1/feedback", #"{"prediction_id": 1, "provenance": "confirm"}"#).status == 201)
        #expect(Self.post(api, "/v1/feedback", #"{"prediction_id": 2, "provenance": "correction", "label": 0}"#).status == 201)
        let unknown = Self.post(api, "/v1/feedback", #"{"prediction_id": 99, "provenance": "correction", "label": 0}"#)
        #expect(unknown.status == 404 && Self.error(unknown)?.contains("prediction_id: 99") == true)
        let noID = Self.post(api, "/v1/feedback", #"{"provenance": "reject"}"#)
        #expect(noID.status == 400 && Self.error(noID) == "provenance 'reject' needs prediction_id (the logged prediction it is about)")
        // Prediction 3 (equal features) was unsure: it waits for review.
        let queue = Self.get(api, "/v1/review")
        #expect(queue.status == 200)
        #expect(queue.body.hasPrefix(#"{"review":[{"class":2,"features":[3,3],"id":3,"model_version":4,"probabilities":[0.3,0.3,0.4],"time":"#))
        #expect(Self.post(api, "/v1/review/3", #"{"label": 1}"#) == .init(status: 201, body: #"{"id":3}"#))
        #expect(Self.post(api, "/v1/review/3", #"{"label": 1}"#).status == 404)
        let badLabel = Self.post(api, "/v1/review/abc", #"{"label": 1}"#)
        #expect(badLabel.status == 400 && Self.error(badLabel) == "review id 'abc' in the path is not a positive integer")
        #expect(Self.error(Self.post(api, "/v1/review/4", #"{"label": "two"}"#)) == "field 'label' is \"two\"; must be a non-negative integer")
        #expect(Self.get(api, "/v1/review").body == #"{"review":[]}"#)
        #expect(Self.get(api, "/v1/status").body == #"""
            {"live_accuracy":{"current":{"accuracy":0.3333333333333333,"correct":1,"model_version":4,"total":3},"versions":[{"accuracy":0.3333333333333333,"correct":1,"model_version":4,"total":3}]},"model_version":4,"new_since_training":3,"predictions_logged":4,"review":{"dropped":0,"queued":0,"reviewed":1},"stored":3,"trainable":3}
            """#)
    }
}
