import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TributarySystem

/// Metrics as an operator sees them: a real Prometheus server (Debian's `prometheus`, started
/// here with a generated configuration on loopback) scrapes a running `tributary coordinator
/// serve` (admin endpoint) and `tributary-edge run` (feedback endpoint) while they run rounds,
/// and its HTTP API answers the questions an operator asks: did rounds complete, which version
/// is live, which version does the edge hold. The coordinator logs in JSON (`logging.format`).
@Suite(.serialized) struct PrometheusScrapeProcessTests {
    static let prometheus = "/usr/bin/prometheus"

    static func get(_ url: String) async throws -> (Int, String, String?) {
        let (data, response) = try await URLSession.shared.data(from: URL(string: url)!)
        let http = response as? HTTPURLResponse
        return (http?.statusCode ?? 0, String(decoding: data, as: UTF8.self), http?.value(forHTTPHeaderField: "Content-Type"))
    }

    /// A port free now on 127.0.0.1 (for Prometheus's own listener, which needs a fixed one).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The values of an instant query (one per series), from Prometheus's /api/v1/query.
    static func query(_ prometheusPort: Int, _ expression: String) async -> [Double] {
        var components = URLComponents(string: "http://127.0.0.1:\(prometheusPort)/api/v1/query")!
        components.queryItems = [URLQueryItem(name: "query", value: expression)]
        guard let (data, _) = try? await URLSession.shared.data(from: components.url!),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let result = (object["data"] as? [String: Any])?["result"] as? [[String: Any]] else { return [] }
        return result.compactMap { ($0["value"] as? [Any])?.last as? String }.compactMap(Double.init)
    }

    @Test func prometheusScrapesTheCoordinatorAndTheEdgeAndAnswersWhatAnOperatorAsks() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.prometheus), "install Debian's prometheus package (scripts/setup.sh)")
        let dir = CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try EdgeProcessTests.fleet(dir, clients: ["edge-m"])
        try AtomicFile.write(Array(EdgeProcessTests.csv(rows: 120, seed: 15).utf8), to: dir + "/local.csv")
        try """
            listen: 127.0.0.1:0
            tls: {certificate: fleet/localhost.pem, key: fleet/localhost-key.pem, ca: fleet/ca.pem}
            registry: {directory: registry}
            model: {initial_checkpoint: model.ckpt}
            rounds: {trigger: ready_clients, ready_clients: 1, target_updates: 1, quorum: 1, collect_timeout: 120s, max_rounds: 50}
            evaluation: {max_client_accuracy_drop: 1}
            admin: {listen: "127.0.0.1:0"}
            logging: {format: json}
            """.write(toFile: dir + "/coordinator.yaml", atomically: true, encoding: .utf8)
        let (coordinator, out, err) = try CLIProcess.launch(["coordinator", "serve", "--config", dir + "/coordinator.yaml"])
        defer { if coordinator.isRunning { coordinator.terminate() } }
        let lines = CoordinatorEdgeProcessTests.LineReader(out)
        guard let listening = lines.waitFor("listening on", seconds: 120),
              let port = listening.split(separator: " ").first(where: { $0.hasPrefix("127.0.0.1:") })?.split(separator: ":").last.flatMap({ Int($0) }),
              let adminPort = listening.components(separatedBy: "admin on 127.0.0.1:").last.flatMap({ Int($0.prefix(while: \.isNumber)) })
        else {
            Issue.record("coordinator did not start: \(lines.all)")
            return
        }
        try EdgeProcessTests.config(dir, id: "edge-m", port: port, extra: "ingestion: {enabled: true, listen: \"127.0.0.1:0\"}")
            .replacingOccurrences(of: "feedback: {features: 64, classes: 10}", with: "feedback: {features: 64, classes: 10, import: [\(dir)/local.csv]}")
            .write(toFile: dir + "/edge.yaml", atomically: true, encoding: .utf8)
        let (edge, edgeOut, _) = try EdgeProcessTests.launch(["run", "--config", dir + "/edge.yaml"])
        defer { if edge.isRunning { edge.terminate() } }
        let edgeLines = CoordinatorEdgeProcessTests.LineReader(edgeOut)
        guard let endpoint = edgeLines.waitFor("feedback endpoint listening on", seconds: 120),
              let edgePort = endpoint.split(separator: ":").last.flatMap({ Int($0) }) else {
            Issue.record("no edge endpoint: \(edgeLines.all)")
            return
        }
        #expect(edgeLines.waitFor("adopted model version", seconds: 300) != nil, "\(edgeLines.all) \(lines.all)")

        // A real Prometheus scrapes both every second.
        let prometheusPort = try Self.freePort()
        try """
            global: {scrape_interval: 1s, evaluation_interval: 1s}
            scrape_configs:
              - job_name: coordinator
                static_configs: [{targets: ["127.0.0.1:\(adminPort)"]}]
              - job_name: edge
                static_configs: [{targets: ["127.0.0.1:\(edgePort)"]}]
            """.write(toFile: dir + "/prometheus.yml", atomically: true, encoding: .utf8)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: Self.prometheus)
        server.arguments = ["--config.file=\(dir)/prometheus.yml", "--storage.tsdb.path=\(dir)/prometheus-data",
                            "--web.listen-address=127.0.0.1:\(prometheusPort)"]
        let serverLog = Pipe()
        server.standardOutput = serverLog
        server.standardError = serverLog
        try server.run()
        defer { if server.isRunning { server.terminate(); server.waitUntilExit() } }
        // Poll (a hang guard, not a timing requirement) until both targets are in and the edge holds the live version.
        var rounds: [Double] = [], live: [Double] = [], held: [Double] = [], up: [Double] = []
        let deadline = Date().addingTimeInterval(300)
        while Date() < deadline {
            rounds = await Self.query(prometheusPort, "sum(tributary_coordinator_rounds_total)")
            live = await Self.query(prometheusPort, "tributary_coordinator_live_version")
            held = await Self.query(prometheusPort, "tributary_edge_held_version")
            up = await Self.query(prometheusPort, "up")
            if (rounds.first ?? 0) >= 1, let live = live.first, live >= 2, held.first == live, up == [1, 1] { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect((rounds.first ?? 0) >= 1, "rounds completed: \(rounds)")
        #expect(up == [1, 1], "both targets scraped: \(up)")
        #expect((live.first ?? 0) >= 2 && held.first == live.first, "live \(live), held by the edge \(held)")
        #expect((await Self.query(prometheusPort, "sum(tributary_coordinator_updates_total{result=\"accepted\"})").first ?? 0) >= 1)
        #expect((await Self.query(prometheusPort, "tributary_coordinator_connected_clients").first ?? 0) == 1)

        // GET /metrics itself: the text format, with the names the docs list.
        let (status, text, contentType) = try await Self.get("http://127.0.0.1:\(adminPort)/metrics")
        #expect(status == 200 && contentType?.hasPrefix("text/plain; version=0.0.4") == true, "\(status) \(contentType ?? "")")
        #expect(text.contains("# TYPE tributary_coordinator_rounds_total counter"), "\(text.prefix(2000))")
        #expect(text.contains("tributary_coordinator_round_phase_duration_seconds_bucket{phase=\"aggregate\""), "\(text.prefix(4000))")
        let edgeText = try await Self.get("http://127.0.0.1:\(edgePort)/metrics").1
        #expect(edgeText.contains("tributary_edge_held_version") && edgeText.contains("tributary_edge_training_duration_seconds_count"), "\(edgeText.prefix(2000))")

        // The coordinator's log, in JSON: one event per round phase and decision, with the ids.
        coordinator.terminate()
        coordinator.waitUntilExit()
        let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let events = log.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(!events.isEmpty && events.count == log.split(separator: "\n").count, "every log line is a JSON object: \(log.prefix(2000))")
        let closed = events.first { $0["message"] as? String == "round closed" }
        #expect(closed?["round.id"] as? String == "1" && closed?["model.version"] != nil && closed?["decision"] != nil, "\(log.prefix(2000))")
        #expect(events.contains { $0["message"] as? String == "round started" && $0["round.id"] as? String == "1" })
    }
}
