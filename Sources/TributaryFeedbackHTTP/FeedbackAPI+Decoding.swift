import Foundation
import TributaryFeedback

/// Reading a POST body: one record or `{"records": [...]}`. Every refusal names what was wrong
/// and the value it had (and, in a batch, the record's index); Swift's decoding debug text never
/// reaches the client.
extension FeedbackAPI {
    struct Refusal: Error { var reason: String }

    /// nil when the Content-Type is JSON, else why it is refused.
    static func refuse(contentType: String?, path: String) -> String? {
        guard let contentType else { return "Content-Type is missing; POST \(path) takes application/json" }
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return mediaType == "application/json" ? nil : "Content-Type is '\(contentType)'; POST \(path) takes application/json"
    }

    /// The body as a JSON object, or why not (`shape` says what it must be).
    static func object(from body: [UInt8], shape: String) -> Result<[String: Any], Refusal> {
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
        } catch {
            return .failure(Refusal(reason: "body is not JSON (\(body.isEmpty ? "it is empty" : "\(body.count) bytes"))"))
        }
        guard let object = json as? [String: Any] else {
            return .failure(Refusal(reason: "body is \(describe(json)); must be a JSON object: \(shape)"))
        }
        return .success(object)
    }

    static func records(from body: [UInt8]) -> Result<[FeedbackRecord], Refusal> {
        let object: [String: Any]
        switch Self.object(from: body, shape: "one record or {\"records\": [...]}") {
        case .success(let decoded): object = decoded
        case .failure(let refusal): return .failure(refusal)
        }
        guard let batch = object["records"] else { return record(object, prefix: "").map { [$0] } }
        guard let elements = batch as? [Any] else {
            return .failure(Refusal(reason: "field 'records' is \(describe(batch)); must be an array of records"))
        }
        var records: [FeedbackRecord] = []
        for (index, element) in elements.enumerated() {
            let prefix = "record \(index): "
            guard let fields = element as? [String: Any] else {
                return .failure(Refusal(reason: prefix + "is \(describe(element)); must be a JSON object"))
            }
            switch record(fields, prefix: prefix) {
            case .success(let record): records.append(record)
            case .failure(let refusal): return .failure(refusal)
            }
        }
        return .success(records)
    }

    private static let expected = [
        "features": "an array of numbers", "label": "a non-negative integer", "model_version": "a non-negative integer",
        "rating": "a number", "prediction_id": "a positive integer", "provenance": "one of " + Provenance.allCases.map(\.rawValue).joined(separator: ", "),
    ]

    private static func record(_ fields: [String: Any], prefix: String) -> Result<FeedbackRecord, Refusal> {
        do {
            let data = try JSONSerialization.data(withJSONObject: fields)
            let record = try JSONDecoder().decode(FeedbackRecord.self, from: data)
            // A record that carries its own example needs both halves (one that references a
            // prediction takes them from the log; confirm and reject always need one, which the store says).
            if record.predictionID == nil, ![.confirm, .reject].contains(record.provenance) {
                if fields["features"] == nil { return .failure(Refusal(reason: prefix + "missing field 'features'")) }
                if fields["label"] == nil { return .failure(Refusal(reason: prefix + "missing field 'label'")) }
            }
            return .success(record)
        } catch DecodingError.keyNotFound(let key, _) {
            return .failure(Refusal(reason: prefix + "missing field '\(key.stringValue)'"))
        } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context), DecodingError.dataCorrupted(let context) {
            let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
            let value = path.reduce(Optional<Any>.some(fields)) { node, key in
                if let array = node as? [Any], let index = Int(key) { return array.indices.contains(index) ? array[index] : nil }
                return (node as? [String: Any])?[key]
            }
            let rule = path.count > 1 && path.first == "features" ? "a number" : expected[path.first ?? ""] ?? "valid"
            return .failure(Refusal(reason: prefix + "field '\(path.joined(separator: "."))' is \(value.map(describe) ?? "missing"); must be \(rule)"))
        } catch {
            return .failure(Refusal(reason: prefix + "not a feedback record"))
        }
    }

    /// A JSON value as the client wrote it (shortened), to name it in an error.
    static func describe(_ value: Any) -> String {
        if value is NSNull { return "null" }
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]) else { return "\(value)" }
        let text = String(decoding: data, as: UTF8.self)
        return text.count > 60 ? String(text.prefix(57)) + "..." : text
    }
}
