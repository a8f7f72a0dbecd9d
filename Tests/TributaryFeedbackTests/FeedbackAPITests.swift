import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TributaryFeedback
import TributaryFeedbackHTTP

@Suite struct FeedbackAPITests {
    func api() throws -> FeedbackAPI {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("feedback-api-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return FeedbackAPI(store: try FeedbackStore(path: dir + "/f.sqlite", configuration: .init(featureCount: 2, classCount: 3)))
    }

    func post(_ api: FeedbackAPI, _ json: String, contentType: String? = "application/json") -> FeedbackAPI.Response {
        api.handle(method: "POST", path: "/v1/feedback", contentType: contentType, body: Array(json.utf8))
    }

    @Test func acceptsRecordsAndBatches() throws {
        let api = try api()
        #expect(post(api, #"{"features": [1, 2], "label": 1, "provenance": "label"}"#) == .init(status: 201, body: #"{"ids":[1]}"#))
        #expect(post(api, #"{"records": [{"features": [1, 2], "label": 2, "provenance": "correction", "model_version": 4}, {"features": [0, 1], "label": 0, "provenance": "rating", "rating": 5}]}"#).body == #"{"ids":[2,3]}"#)
        #expect(api.handle(method: "GET", path: "/v1/status", contentType: nil, body: []) == .init(status: 200, body: #"{"live_accuracy":{"current":null,"versions":[]},"model_version":null,"new_since_training":3,"predictions_logged":0,"review":{"dropped":0,"queued":0,"reviewed":0},"stored":3,"trainable":3}"#))
    }

    @Test func refusesBadRequestsWithTheReason() throws {
        let api = try api()
        let cases: [(String, Int, String)] = [
            (#"{"features": [1, 2, 3], "label": 1, "provenance": "label"}"#, 400, "features: 3 values, the model takes 2"),
            (#"{"features": [1, 2], "label": 7, "provenance": "label"}"#, 400, "label: 7 is not a known class (0..<3)"),
            (#"{"features": [1, 2], "label": 1, "provenance": "gossip"}"#, 400, "provenance"),
            (#"{"features": [1, 2], "provenance": "label"}"#, 400, "missing field 'label'"),
            (#"{"features": ["x", 2], "label": 1, "provenance": "label"}"#, 400, "features"),
            ("not json", 400, "not JSON"),
            (#"{"records": []}"#, 400, "no records"),
        ]
        for (body, status, message) in cases {
            let response = post(api, body)
            #expect(response.status == status, "\(body): \(response)")
            #expect(response.body.contains(message), "\(body): \(response.body)")
        }
        #expect(api.handle(method: "DELETE", path: "/v1/feedback", contentType: nil, body: []).status == 405)
        #expect(api.handle(method: "GET", path: "/admin", contentType: nil, body: []).status == 404)
        #expect(try api.store.counts().stored == 0)
    }

    @Test func refusesAContentTypeOtherThanJSON() throws {
        let api = try api()
        let record = #"{"features": [1, 2], "label": 1, "provenance": "label"}"#
        #expect(post(api, record, contentType: "text/plain") == .init(
            status: 415, body: #"{"code":"unsupported_media_type","error":"Content-Type is 'text/plain'; POST /v1/feedback takes application/json"}"#))
        #expect(post(api, record, contentType: nil).status == 415)
        #expect(post(api, record, contentType: "Application/JSON; charset=utf-8").status == 201)
        #expect(try api.store.counts().stored == 1)
    }

    @Test func malformedBodiesNameWhatWasWrongWithoutDebugText() throws {
        let api = try api()
        let cases: [(String, String)] = [
            (#"{"records": [{"features": [1, 2], "label": 1, "provenance": "label"}, {"features": [1, 2], "provenance": "label"}]}"#,
             "record 1: missing field 'label'"),
            (#"{"records": [{"label": 1, "provenance": "label"}]}"#, "record 0: missing field 'features'"),
            ("null", "body is null; must be a JSON object: one record or {\"records\": [...]}"),
            ("[1, 2]", "body is [1,2]; must be a JSON object: one record or {\"records\": [...]}"),
            (#"{"records": 5}"#, "field 'records' is 5; must be an array of records"),
            (#"{"records": [null]}"#, "record 0: is null; must be a JSON object"),
            (#"{"features": ["x", 2], "label": 1, "provenance": "label"}"#, "field 'features.0' is \"x\"; must be a number"),
            (#"{"features": [1, 2], "label": "one", "provenance": "label"}"#, "field 'label' is \"one\"; must be a non-negative integer"),
            (#"{"features": [1, 2], "label": 1, "provenance": "gossip"}"#,
             "field 'provenance' is \"gossip\"; must be one of inference, label, correction, rating, review, confirm, reject"),
            ("", "body is not JSON (it is empty)"),
        ]
        for (body, message) in cases {
            let response = post(api, body)
            let error = (try? JSONDecoder().decode([String: String].self, from: Data(response.body.utf8)))?["error"]
            #expect(response.status == 400 && error == message, "\(body): \(response.body)")
        }
        #expect(try api.store.counts().stored == 0)
    }

    @Test func servesOnLoopbackHTTP() async throws {
        let api = try api()
        let server = try await FeedbackHTTPServer.start(api: api)
        defer { Task { try? await server.close() } }
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(server.port)/v1/feedback")!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(#"{"features": [0.5, 1.5], "label": 2, "provenance": "review"}"#.utf8)
        let (data, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 201)
        #expect(String(decoding: data, as: UTF8.self) == #"{"ids":[1]}"#)
        request.httpBody = Data(#"{"features": [0.5], "label": 2, "provenance": "review"}"#.utf8)
        let (bad, badResponse) = try await URLSession.shared.data(for: request)
        #expect((badResponse as? HTTPURLResponse)?.statusCode == 400)
        #expect(String(decoding: bad, as: UTF8.self).contains("features: 1 values, the model takes 2"))
        request.setValue("text/plain", forHTTPHeaderField: "Content-Type")
        let (plain, plainResponse) = try await URLSession.shared.data(for: request)
        #expect((plainResponse as? HTTPURLResponse)?.statusCode == 415)
        #expect(String(decoding: plain, as: UTF8.self).contains("Content-Type is 'text"))
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data("null".utf8)
        let (null, nullResponse) = try await URLSession.shared.data(for: request)
        #expect((nullResponse as? HTTPURLResponse)?.statusCode == 400)
        #expect(String(decoding: null, as: UTF8.self).contains("body is null; must be a JSON object"))
        let (status, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(server.port)/v1/status")!)
        #expect(String(decoding: status, as: UTF8.self) == #"{"live_accuracy":{"current":null,"versions":[]},"model_version":null,"new_since_training":1,"predictions_logged":0,"review":{"dropped":0,"queued":0,"reviewed":0},"stored":1,"trainable":1}"#)
        try await server.close()
    }

    @Test func errorsCarryACodeAndOversizedBodiesAreRefusedBeforeTheAPI() async throws {
        let api = try api()
        let server = try await FeedbackHTTPServer.start(api: api)
        let base = "http://127.0.0.1:\(server.port)"
        let (missing, missingResponse) = try await URLSession.shared.data(from: URL(string: base + "/v2/nothing")!)
        #expect((missingResponse as? HTTPURLResponse)?.statusCode == 404)
        let document = try JSONDecoder().decode([String: String].self, from: missing)
        #expect(document["code"] == "not_found" && document["error"]?.contains("no endpoint at /v2/nothing") == true, "\(document)")
        #expect((missingResponse as? HTTPURLResponse)?.value(forHTTPHeaderField: "Content-Type") == "application/json")
        var request = URLRequest(url: URL(string: base + "/v1/feedback")!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(repeating: UInt8(ascii: " "), count: FeedbackAPI.maximumBodyBytes + 1)
        let (large, largeResponse) = try await URLSession.shared.data(for: request)
        #expect((largeResponse as? HTTPURLResponse)?.statusCode == 413)
        #expect(String(decoding: large, as: UTF8.self).contains(#""code":"payload_too_large""#))
        #expect(try api.store.counts().stored == 0)
        // This test process bootstraps no metrics backend: /metrics says so.
        let (metrics, metricsResponse) = try await URLSession.shared.data(from: URL(string: base + "/metrics")!)
        #expect((metricsResponse as? HTTPURLResponse)?.statusCode == 404)
        #expect(String(decoding: metrics, as: UTF8.self).contains("exports no metrics"))
        try await server.close()
    }

    @Test func aNonLoopbackAddressIsRefusedAtStartNamingIt() async throws {
        let api = try api()
        do {
            let server = try await FeedbackHTTPServer.start(api: api, host: "0.0.0.0", port: 0)
            try await server.close()
            Issue.record("0.0.0.0 was bound without a credential")
        } catch {
            #expect("\(error)".contains("ingestion.listen is 0.0.0.0:0, which is not a loopback address"), "\(error)")
        }
    }
}
