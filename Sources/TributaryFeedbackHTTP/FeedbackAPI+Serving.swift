import Foundation
import TributaryFeedback

/// `POST /v1/predict`, the review queue and the status document.
extension FeedbackAPI {
    func predict(_ body: [UInt8]) -> Response {
        guard let predictor else { return failure(503, "this endpoint serves no model (the edge agent is not running with it)") }
        let instances: [[Float]]
        switch Self.instances(from: body) {
        case .success(let decoded): instances = decoded
        case .failure(let refusal): return failure(400, refusal.reason)
        }
        do {
            let predictions = try predictor.predict(instances)
            EndpointMetrics.predictions.increment(by: predictions.count)
            return Response(status: 200, body: try Self.json(PredictionsDocument(predictions: predictions)))
        } catch {
            return failure(error)
        }
    }

    func reviewQueue() -> Response {
        do {
            let queue = try store.predictions.reviewQueue().map(ReviewItemDocument.init)
            return Response(status: 200, body: try Self.json(["review": queue]))
        } catch {
            return failure(error)
        }
    }

    func review(_ idText: String, _ body: [UInt8]) -> Response {
        guard let id = Int64(idText), id > 0 else { return failure(400, "review id '\(idText)' in the path is not a positive integer") }
        let object: [String: Any]
        switch Self.object(from: body, shape: "{\"label\": k}") {
        case .success(let decoded): object = decoded
        case .failure(let refusal): return failure(400, refusal.reason)
        }
        guard let value = object["label"] else { return failure(400, "missing field 'label'") }
        guard let number = Self.number(value), let label = Int32(exactly: number.doubleValue) else {
            return failure(400, "field 'label' is \(Self.describe(value)); must be a non-negative integer")
        }
        do {
            let example = try store.predictions.review(id, label: label)
            return Response(status: 201, body: "{\"id\":\(example)}")
        } catch {
            return failure(error)
        }
    }

    func status() -> Response {
        do {
            let counts = try store.counts(), review = try store.predictions.reviewCounts(), live = try store.predictions.liveAccuracy()
            let served = predictor?.servedVersion
            let document = StatusDocument(
                stored: counts.stored, trainable: counts.trainable, newSinceTraining: counts.newSinceTraining,
                predictionsLogged: try store.predictions.count(), modelVersion: served,
                review: .init(queued: review.queued, dropped: review.dropped, reviewed: review.reviewed),
                liveAccuracy: .init(current: served.flatMap { version in live.first { $0.modelVersion == version } }.map(LiveFiguresDocument.init),
                                    versions: live.map(LiveFiguresDocument.init)))
            return Response(status: 200, body: try Self.json(document))
        } catch {
            return failure(error)
        }
    }

    /// The body as it usually is, read by the decoder in one pass.
    private struct PredictRequest: Decodable {
        var features: [Float]?
        var instances: [[Float]]?
    }

    /// `{"features": [...]}` (one instance) or `{"instances": [[...], ...]}`; refusals name the
    /// field, the index and the value. A well-formed body is decoded in one pass; any other is
    /// read again as a JSON tree to say what is wrong with it.
    static func instances(from body: [UInt8]) -> Result<[[Float]], Refusal> {
        if let request = try? JSONDecoder().decode(PredictRequest.self, from: Data(body)) {
            if let features = request.features { return .success([features]) }
            if let instances = request.instances, !instances.isEmpty { return .success(instances) }
        }
        let object: [String: Any]
        switch Self.object(from: body, shape: "{\"features\": [...]} or {\"instances\": [[...], ...]}") {
        case .success(let decoded): object = decoded
        case .failure(let refusal): return .failure(refusal)
        }
        if let single = object["features"] {
            return numbers(single, name: "features").map { [$0] }
        }
        guard let batch = object["instances"] else {
            return .failure(Refusal(reason: "missing field 'features' (one instance) or 'instances' (a batch)"))
        }
        guard let rows = batch as? [Any], !rows.isEmpty else {
            return .failure(Refusal(reason: "field 'instances' is \(describe(batch)); must be a non-empty array of arrays of numbers"))
        }
        var instances: [[Float]] = []
        instances.reserveCapacity(rows.count)
        for (index, row) in rows.enumerated() {
            switch numbers(row, name: "instances[\(index)]") {
            case .success(let values): instances.append(values)
            case .failure(let refusal): return .failure(refusal)
            }
        }
        return .success(instances)
    }

    private static func numbers(_ value: Any, name: String) -> Result<[Float], Refusal> {
        guard let array = value as? [Any] else { return .failure(Refusal(reason: "field '\(name)' is \(describe(value)); must be an array of numbers")) }
        var values: [Float] = []
        values.reserveCapacity(array.count)
        for (index, element) in array.enumerated() {
            guard let number = Self.number(element) else {
                return .failure(Refusal(reason: "field '\(name)[\(index)]' is \(describe(element)); must be a number"))
            }
            values.append(number.floatValue)
        }
        return .success(values)
    }

    /// Keys sorted, so a document reads the same every time.
    /// A JSON number (true and false are not numbers, though Foundation bridges them to NSNumber).
    static func number(_ value: Any) -> NSNumber? {
        guard type(of: value) != Bool.self else { return nil }
        return value as? NSNumber
    }

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
