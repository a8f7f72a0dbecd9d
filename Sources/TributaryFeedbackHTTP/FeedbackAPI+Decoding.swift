import Foundation
import TributaryFeedback

/// Reading a POST body: one record or `{"records": [...]}`. Every refusal names what was wrong
/// and the value it had (and, in a batch, the record's index); Swift's decoding debug text never
/// reaches the client.
extension FeedbackAPI {
    struct Refusal: Error { var reason: String }

    /// nil when the Content-Type is JSON, else why it is refused.
    static func refuse(contentType: String?) -> String? {
        guard let contentType else { return "Content-Type is missing; POST /v1/feedback takes application/json" }
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return mediaType == "application/json" ? nil : "Content-Type is '\(contentType)'; POST /v1/feedback takes application/json"
    }

    static func records(from body: [UInt8]) -> Result<[FeedbackRecord], Refusal> {
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
        } catch {
            return .failure(Refusal(reason: "body is not JSON (\(body.isEmpty ? "it is empty" : "\(body.count) bytes"))"))
        }
        guard let object = json as? [String: Any] else {
            return .failure(Refusal(reason: "body is \(describe(json)); must be a JSON object: one record or {\"records\": [...]}"))
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
        "rating": "a number", "provenance": "one of " + Provenance.allCases.map(\.rawValue).joined(separator: ", "),
    ]

    private static func record(_ fields: [String: Any], prefix: String) -> Result<FeedbackRecord, Refusal> {
        do {
            let data = try JSONSerialization.data(withJSONObject: fields)
            return .success(try JSONDecoder().decode(FeedbackRecord.self, from: data))
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
    private static func describe(_ value: Any) -> String {
        if value is NSNull { return "null" }
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]) else { return "\(value)" }
        let text = String(decoding: data, as: UTF8.self)
        return text.count > 60 ? String(text.prefix(57)) + "..." : text
    }
}
