import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TributaryLearning
import TributarySystem

/// Serving through the real `tributary-edge run` next to a real coordinator: an app asks for
/// predictions over loopback HTTP, confirms two, corrects one, rejects one and labels one from
/// the review queue, and sees the live accuracy in /v1/status; then `tributary-edge predict`
/// answers the same rows offline from the checkpoint. (The live outcomes' way to the trigger
/// through the agent's loop is `ServingAgentTests`, against a scripted coordinator.)
@Suite(.serialized) struct ServingProcessTests {
    struct Answer: Decodable {
        struct Item: Decodable {
            var id: Int64
            var `class`: Int
            var probabilities: [Float]
            var model_version: UInt64
        }

        var predictions: [Item]
    }

    static func request(_ port: Int, _ method: String, _ path: String, _ json: String? = nil) async throws -> (Int, String) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        if let json {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(json.utf8)
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// Five rows of the training distribution (64 features each).
    static let rows: [[Int]] = EdgeProcessTests.csv(rows: 5, seed: 77).split(separator: "\n").map { line in
        line.split(separator: ",").dropLast().map { Int($0)! }
    }

    @Test func anAppPredictsCorrectsReviewsAndSeesLiveAccuracy() async throws {
        let dir = CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try EdgeProcessTests.fleet(dir, clients: ["edge-s"])
        try AtomicFile.write(Array(EdgeProcessTests.csv(rows: 120).utf8), to: dir + "/local.csv")
        guard let (coordinator, _, coordinatorPort) = try EdgeProcessTests.startCoordinator(dir, rounds: 1) else {
            Issue.record("coordinator did not start")
            return
        }
        defer { if coordinator.isRunning { coordinator.terminate() } }
        try EdgeProcessTests.config(dir, id: "edge-s", port: coordinatorPort, extra: """
            ingestion: {enabled: true, listen: "127.0.0.1:0"}
            review: {threshold: 1}
            """)
            .replacingOccurrences(of: "feedback: {features: 64, classes: 10}", with: "feedback: {features: 64, classes: 10, import: [\(dir)/local.csv]}")
            .write(toFile: dir + "/edge.yaml", atomically: true, encoding: .utf8)
        let (edge, out, err) = try EdgeProcessTests.launch(["run", "--config", dir + "/edge.yaml"])
        defer { if edge.isRunning { edge.terminate() } }
        let lines = CoordinatorEdgeProcessTests.LineReader(out)
        guard let line = lines.waitFor("feedback endpoint listening on", seconds: 60), let port = line.split(separator: ":").last.flatMap({ Int($0) }) else {
            Issue.record("no endpoint: \(lines.all) \(String(decoding: err.fileHandleForReading.availableData, as: UTF8.self))")
            return
        }
        // Served once the edge holds a model (its first round, then the release it adopts).
        #expect(lines.waitFor("sent Update for round 1", seconds: 180) != nil, "\(lines.all)")
        _ = lines.waitFor("adopted model version", seconds: 60)
        let body = #"{"instances": [\#(Self.rows.map { "[\($0.map(String.init).joined(separator: ","))]" }.joined(separator: ","))]}"#
        var answer: Answer?
        let deadline = Date().addingTimeInterval(60)
        while answer == nil, Date() < deadline {
            let (status, text) = try await Self.request(port, "POST", "/v1/predict", body)
            if status == 200 { answer = try JSONDecoder().decode(Answer.self, from: Data(text.utf8)) } else {
                #expect(status == 503, "\(text)")
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        let predictions = try #require(answer?.predictions)
        #expect(predictions.count == 5 && predictions.allSatisfy { $0.probabilities.count == 10 && $0.model_version >= 1 })
        let version = predictions[0].model_version
        #expect(try await Self.request(port, "POST", "/v1/feedback", #"{"prediction_id": \#(predictions[0].id), "provenance": "confirm"}"#).0 == 201)
        #expect(try await Self.request(port, "POST", "/v1/feedback", #"{"prediction_id": \#(predictions[1].id), "provenance": "confirm"}"#).0 == 201)
        let wrongClass = (predictions[2].class + 1) % 10
        #expect(try await Self.request(port, "POST", "/v1/feedback", #"{"prediction_id": \#(predictions[2].id), "provenance": "correction", "label": \#(wrongClass)}"#).0 == 201)
        #expect(try await Self.request(port, "POST", "/v1/feedback", #"{"prediction_id": \#(predictions[3].id), "provenance": "reject"}"#).0 == 201)
        let unknown = try await Self.request(port, "POST", "/v1/feedback", #"{"prediction_id": 9999, "provenance": "confirm"}"#)
        #expect(unknown.0 == 404 && unknown.1.contains("prediction_id: 9999"), "\(unknown)")
        let queue = try await Self.request(port, "GET", "/v1/review")
        #expect(queue.1.contains(#""id":\#(predictions[4].id)"#), "\(queue)")
        #expect(try await Self.request(port, "POST", "/v1/review/\(predictions[4].id)", #"{"label": \#(predictions[4].class)}"#).0 == 201)
        let (_, status) = try await Self.request(port, "GET", "/v1/status")
        #expect(status.contains(#"{"accuracy":0.6,"correct":3,"model_version":\#(version),"total":5}"#), "\(status)")
        #expect(status.contains(#""reviewed":1"#) && status.contains(#""predictions_logged":5"#), "\(status)")
        edge.terminate()
        edge.waitUntilExit()
        #expect(edge.terminationStatus == 0)

        // Offline: the same rows from the checkpoint, and a file with a column too few.
        try AtomicFile.write(Array(Self.rows.map { $0.map(String.init).joined(separator: ",") }.joined(separator: "\r\n").utf8), to: dir + "/rows.csv")
        let (offline, offlineOut, _) = try EdgeProcessTests.launch(["predict", "--config", dir + "/edge.yaml", "--format", "jsonl", dir + "/rows.csv"])
        let jsonl = String(decoding: offlineOut.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        offline.waitUntilExit()
        #expect(offline.terminationStatus == 0)
        let offlineLines = jsonl.split(separator: "\n")
        #expect(offlineLines.count == Self.rows.count, "\(jsonl)")
        if offlineLines.first?.contains(#""model_version":\#(version)"#) == true {
            for (line, prediction) in zip(offlineLines, predictions) {
                #expect(line.contains(#""class":\#(prediction.class),"#), "\(line) vs \(prediction)")
            }
        }
        try AtomicFile.write(Array((Self.rows[0].dropLast().map(String.init).joined(separator: ",") + "\n").utf8), to: dir + "/short.csv")
        let (short, _, shortErr) = try EdgeProcessTests.launch(["predict", "--config", dir + "/edge.yaml", dir + "/short.csv"])
        let refusal = String(decoding: shortErr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        short.waitUntilExit()
        #expect(short.terminationStatus == 1)
        #expect(refusal.contains("line 1: 63 columns; the model (version") && refusal.contains("takes 64 features"), "\(refusal)")
    }
}
