import Foundation
import TributaryFeedback
import TributaryHTTP

/// The local feedback endpoint's logic, apart from sockets: a request in, a response out.
///
/// - `POST /v1/feedback` with one JSON record `{"features": [...], "label": 3, "provenance":
///   "correction", "model_version": 5, "rating": 4}` or `{"records": [...]}` → 201 `{"ids": [...]}`;
///   a bad record → 400 `{"error": "<what was wrong and the value>"}` (in a batch, naming the
///   record's index) and nothing is stored; a Content-Type other than `application/json` → 415.
///   A record may reference a served prediction instead of carrying its example:
///   `{"prediction_id": 17, "provenance": "correction", "label": 2}` (also `label`, `confirm`,
///   `reject`, `rating`); `FeedbackJoin` is the rule; an id not in the log → 404.
/// - `POST /v1/predict` with `{"features": [...]}` or `{"instances": [[...], ...]}` → 200
///   `{"predictions": [{"id": 17, "class": 2, "probabilities": [...], "model_version": 3}]}`, each
///   logged; 503 before the edge holds a model; a bad instance → 400 naming it and the value.
/// - `GET /v1/review` → the review queue; `POST /v1/review/{id}` with `{"label": k}` labels one.
/// - `GET /v1/status` → 200 `{"stored": n, "trainable": n, "new_since_training": n,
///   "predictions_logged": n, "model_version": v, "review": {...}, "live_accuracy": {...}}`.
/// - `GET /metrics` (answered by the shell): the Prometheus text.
/// Errors are `{"error": "<message>", "code": "<code>"}`, the code named by the status.
public struct FeedbackAPI: Sendable {
    public typealias Response = JSONResponse

    /// Largest request body accepted.
    public static let maximumBodyBytes = 1 << 20

    public let store: FeedbackStore
    /// Serves `POST /v1/predict` (nil: no model here; the endpoint answers 503).
    public let predictor: (any PredictionServing)?

    public init(store: FeedbackStore, predictor: (any PredictionServing)? = nil) {
        self.store = store
        self.predictor = predictor
    }

    /// - Parameter contentType: the request's Content-Type header (nil when absent).
    public func handle(method: String, path: String, contentType: String?, body: [UInt8]) -> Response {
        if method == "POST", let refusal = Self.refuse(contentType: contentType, path: path) { return failure(415, refusal) }
        guard body.count <= Self.maximumBodyBytes else {
            return failure(413, "request body of \(body.count) bytes exceeds \(Self.maximumBodyBytes)")
        }
        switch (method, path) {
        case ("POST", "/v1/feedback"): return post(body)
        case ("POST", "/v1/predict"): return predict(body)
        case ("GET", "/v1/status"): return status()
        case ("GET", "/v1/review"): return reviewQueue()
        case ("POST", _) where path.hasPrefix("/v1/review/"): return review(String(path.dropFirst("/v1/review/".count)), body)
        case (_, "/v1/feedback"), (_, "/v1/status"), (_, "/v1/predict"), (_, "/v1/review"):
            return failure(405, "method \(method) is not allowed on \(path)")
        case (_, _) where path.hasPrefix("/v1/review/"): return failure(405, "method \(method) is not allowed on \(path)")
        default:
            return failure(404, "no endpoint at \(path) (use POST /v1/predict, POST /v1/feedback, GET /v1/review, POST /v1/review/{id} or GET /v1/status)")
        }
    }

    private func post(_ body: [UInt8]) -> Response {
        let records: [FeedbackRecord]
        switch Self.records(from: body) {
        case .success(let decoded): records = decoded
        case .failure(let refusal): return failure(400, refusal.reason)
        }
        guard !records.isEmpty else { return failure(400, "no records in the request") }
        do {
            let ids = try store.insert(records)
            EndpointMetrics.stored(records)
            return Response(status: 201, body: "{\"ids\":[\(ids.map(String.init).joined(separator: ","))]}")
        } catch {
            return failure(error)
        }
    }

    /// A refusal or failure as its status: a bad request 400, an unknown prediction 404, no model
    /// yet 503, a store that cannot be read or written 500.
    func failure(_ error: any Error) -> Response {
        guard let error = error as? FeedbackError else { return failure(500, "\(error)") }
        switch error.code {
        case .invalidRecord: return failure(400, error.reason)
        case .unknownPrediction: return failure(404, error.reason)
        case .noModel: return failure(503, error.reason)
        default: return failure(500, error.reason)
        }
    }

    func failure(_ status: Int, _ message: String) -> Response {
        .error(status, message)
    }
}
