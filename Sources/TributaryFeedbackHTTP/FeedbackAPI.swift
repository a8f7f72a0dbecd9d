import Foundation
import TributaryFeedback
import TributaryHTTP

/// The local feedback endpoint's logic, apart from sockets: a request in, a response out.
///
/// - `POST /v1/feedback` with one JSON record `{"features": [...], "label": 3, "provenance":
///   "correction", "model_version": 5, "rating": 4}` or `{"records": [...]}` → 201 `{"ids": [...]}`;
///   a bad record → 400 `{"error": "<what was wrong and the value>"}` (in a batch, naming the
///   record's index) and nothing is stored; a Content-Type other than `application/json` → 415.
/// - `GET /v1/status` → 200 `{"stored": n, "trainable": n, "new_since_training": n}`.
public struct FeedbackAPI: Sendable {
    public typealias Response = JSONResponse

    /// Largest request body accepted.
    public static let maximumBodyBytes = 1 << 20

    public let store: FeedbackStore

    public init(store: FeedbackStore) {
        self.store = store
    }

    /// - Parameter contentType: the request's Content-Type header (nil when absent).
    public func handle(method: String, path: String, contentType: String?, body: [UInt8]) -> Response {
        switch (method, path) {
        case ("POST", "/v1/feedback"):
            if let refusal = Self.refuse(contentType: contentType) { return failure(415, refusal) }
            return post(body)
        case ("GET", "/v1/status"): return status()
        case (_, "/v1/feedback"), (_, "/v1/status"): return failure(405, "method \(method) is not allowed on \(path)")
        default: return failure(404, "no endpoint at \(path) (use POST /v1/feedback or GET /v1/status)")
        }
    }

    private func post(_ body: [UInt8]) -> Response {
        guard body.count <= Self.maximumBodyBytes else {
            return failure(413, "request body of \(body.count) bytes exceeds \(Self.maximumBodyBytes)")
        }
        let records: [FeedbackRecord]
        switch Self.records(from: body) {
        case .success(let decoded): records = decoded
        case .failure(let refusal): return failure(400, refusal.reason)
        }
        guard !records.isEmpty else { return failure(400, "no records in the request") }
        do {
            let ids = try store.insert(records)
            return Response(status: 201, body: "{\"ids\":[\(ids.map(String.init).joined(separator: ","))]}")
        } catch let refusal as FeedbackError {
            return failure(refusal.code == .storage ? 500 : 400, refusal.reason)
        } catch {
            return failure(500, "\(error)")
        }
    }

    private func status() -> Response {
        do {
            let counts = try store.counts()
            return Response(status: 200, body: "{\"stored\":\(counts.stored),\"trainable\":\(counts.trainable),\"new_since_training\":\(counts.newSinceTraining)}")
        } catch {
            return failure(500, "\(error)")
        }
    }

    private func failure(_ status: Int, _ message: String) -> Response {
        let encoded = (try? JSONEncoder().encode(["error": message])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return Response(status: status, body: encoded)
    }
}
