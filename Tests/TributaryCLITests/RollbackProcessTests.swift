import Foundation
import Testing
import TributaryLearning
import TributarySystem

/// Issue 12, item 7, through real processes: `tributary coordinator serve`, two `tributary-edge`
/// agents over mutual TLS on 127.0.0.1, and `tributary models rollback` run by an operator. Two
/// rounds make versions 2 and 3, the edges adopt 3, the operator makes 2 live again (`models
/// rollback` beside the running coordinator or while it is down, `models reject 3` of the live
/// version, `models promote 2` of the older one), and each edge's checkpoint then holds version
/// 2's parameters bit for bit (as `tributary models export 2` writes them), and the model edge-1
/// serves over its loopback endpoint answers as version 2 did before, bit for bit.
@Suite(.serialized) struct RollbackProcessTests {
    typealias Fixture = CoordinatorEdgeProcessTests.Fixture
    typealias LineReader = CoordinatorEdgeProcessTests.LineReader
    static let edges = ["edge-1", "edge-2"]

    /// Waits until `text()` holds `marker` at least `count` times (false when `seconds` pass first:
    /// only a hang ends the wait).
    static func wait(_ text: () -> String, for marker: String, count: Int = 1, seconds: Double = 240) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if text().components(separatedBy: marker).count - 1 >= count { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return false
    }

    /// The admin endpoint from the coordinator's "listening" line.
    static func admin(_ coordinator: CoordinatorEdgeProcessTests.Coordinator) throws -> String {
        let listening = try #require(coordinator.out.waitFor("listening on", seconds: 120))
        return String(try #require(listening.split(separator: " ").last?.filter { $0.isNumber || $0 == "." || $0 == ":" }))
    }

    /// Starts a round through the admin endpoint, retrying while the edges are not yet ready.
    static func startRound(admin: String) throws {
        var last = ""
        for _ in 0..<1200 {  // 120 s
            let start = try CLIProcess.run(["round", "start", "--admin", admin])
            if start.status == 0 { return }
            last = start.stderr
            Thread.sleep(forTimeInterval: 0.1)
        }
        Issue.record("round start refused for 120 s: \(last)")
    }

    static func parameters(_ path: String) throws -> [Float] {
        try CheckpointStore.load(from: path).checkpoint.parameters
    }

    /// How the operator makes version 2 live again while 3 is.
    enum LiveChange: String, CaseIterable, Sendable {
        case rollback, rollbackWhileCoordinatorIsDown, rejectLive, promoteOlder

        var arguments: [String] {
            switch self {
            case .rollback, .rollbackWhileCoordinatorIsDown: ["rollback", "--to", "2", "--reason", "process test"]
            case .rejectLive: ["reject", "3", "--reason", "process test"]
            case .promoteOlder: ["promote", "2"]
            }
        }
    }

    /// edge-1's configuration: the loopback endpoint on a free port, its data in the store, ready
    /// for every round the operator starts (its data does not grow).
    static let servingEdge = """
        feedback: {features: 64, classes: 10}
        ingestion: {enabled: true, listen: "127.0.0.1:0"}
        triggers: {ready_only_on_trigger: false}
        """

    typealias Served = [(version: UInt64, class: Int, probabilities: [Float])]

    /// What edge-1 serves for `rows` once it serves `version` (asked again until it does, for up
    /// to 120 s: a deadline for a hang only): each prediction's version, class and probabilities.
    static func served(port: Int, rows: [[Float]], version: UInt64) async throws -> Served {
        let body = #"{"instances": [\#(rows.map { "[\($0.map { "\($0)" }.joined(separator: ","))]" }.joined(separator: ","))]}"#
        let deadline = Date().addingTimeInterval(120)
        while true {
            let (status, text) = try await ServingProcessTests.request(port, "POST", "/v1/predict", body)
            try #require(status == 200, "POST /v1/predict: \(status) \(text)")
            let answers: Served = try JSONDecoder().decode(ServingProcessTests.Answer.self, from: Data(text.utf8)).predictions.map {
                ($0.model_version, $0.class, $0.probabilities)
            }
            if answers.allSatisfy({ $0.version == version }) || Date() > deadline { return answers }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    @Test(arguments: LiveChange.allCases)
    func aLiveVersionChangeReachesEveryEdgeExactly(_ change: LiveChange) async throws {
        let restart = change == .rollbackWhileCoordinatorIsDown
        let fixture = try Fixture(edges: Self.edges)
        defer { fixture.remove() }
        let settings = ["--set", "rounds.trigger=manual", "--set", "evaluation.max_task_drop=1", "--set", "registry.live_check=200ms"]
        var coordinator = try fixture.launchCoordinator(settings)
        defer { if coordinator.process.isRunning { coordinator.kill() } }
        let port = try coordinator.port()
        let admin = try Self.admin(coordinator)
        let edges = try Self.edges.map { try fixture.launchEdge($0, port: port, rounds: nil, yaml: $0 == "edge-1" ? Self.servingEdge : nil) }
        defer { CoordinatorEdgeProcessTests.stop(edges) }
        let logs = edges.map { LineReader($0.1) }
        let stderrs = edges.map { LineReader($0.2) }  // drained, so a full pipe never blocks an edge
        defer { withExtendedLifetime(stderrs) {} }
        let endpoint = try #require(logs[0].waitFor("feedback endpoint listening on", seconds: 120), "\(logs[0].all) \(stderrs[0].all)")
        let servingPort = try #require(endpoint.split(separator: ":").last.flatMap { Int($0) })
        let rows = try CSVLoader.load(path: fixture.dir + "/held-out.csv").subset(0..<20)
        let instances = (0..<rows.count).map { Array(rows.row($0)) }

        var servedBy: [UInt64: Served] = [:]
        for version in 2...3 {
            try Self.startRound(admin: admin)
            #expect(Self.wait({ coordinator.out.all }, for: "version \(version) released to 2 clients"), "\(coordinator.out.all)")
            for log in logs { #expect(Self.wait({ log.all }, for: "adopted model version \(version)"), "\(log.all)") }
            servedBy[UInt64(version)] = try await Self.served(port: servingPort, rows: instances, version: UInt64(version))
        }
        let v2Answers = try #require(servedBy[2]), v3Answers = try #require(servedBy[3])
        #expect(v2Answers.allSatisfy { $0.version == 2 } && v3Answers.allSatisfy { $0.version == 3 })
        let v3Differs = zip(v2Answers, v3Answers).contains { $0.probabilities != $1.probabilities }
        #expect(v3Differs, "version 3 answers differently from version 2")
        let v3 = fixture.dir + "/v3.ckpt"
        #expect(try fixture.models(["export", "3", "--out", v3]).status == 0)
        for id in Self.edges {
            let same = try Self.parameters(fixture.dir + "/state-\(id)/edge.ckpt") == Self.parameters(v3)  // a Bool: no 2,410-number dump
            #expect(same, "\(id) holds version 3's parameters")
        }

        if restart {
            coordinator.process.terminate()
            coordinator.process.waitUntilExit()
        }
        let changed = try fixture.models(change.arguments)
        #expect(changed.status == 0, "\(changed.stderr)")
        if restart {
            coordinator = try fixture.launchCoordinator(settings + ["--listen", "127.0.0.1:\(port)"])
            _ = try coordinator.port()
        } else {
            #expect(Self.wait({ coordinator.out.all }, for: "live version changed from 3 to 2 in the registry"), "\(coordinator.out.all)")
            #expect(Self.wait({ coordinator.out.all }, for: "version 2 released to 2 clients (0 as delta)"), "\(coordinator.out.all)")
        }
        for log in logs { #expect(Self.wait({ log.all }, for: "adopted model version 2", count: 2), "\(log.all)") }

        let v2 = fixture.dir + "/v2.ckpt"
        #expect(try fixture.models(["export", "2", "--out", v2]).status == 0)
        let expected = try Self.parameters(v2)
        let differ = try expected != Self.parameters(v3)
        #expect(differ, "versions 2 and 3 differ")
        for id in Self.edges {
            let held = try CheckpointStore.load(from: fixture.dir + "/state-\(id)/edge.ckpt").checkpoint
            let same = held.parameters == expected
            #expect(same, "\(id) holds version 2's parameters bit for bit (it holds version \(held.metadata["model.version"] ?? "?"))")
            #expect(held.metadata["model.version"] == "2")
        }
        // What the app sees: edge-1 serves version 2 again, every answer as version 2 gave it before.
        let again = try await Self.served(port: servingPort, rows: instances, version: 2)
        #expect(again.allSatisfy { $0.version == 2 }, "served versions \(Set(again.map(\.version)))")
        let same = zip(again, v2Answers).filter { $0.class == $1.class && $0.probabilities == $1.probabilities }.count
        #expect(same == instances.count, "\(same) of \(instances.count) answers equal version 2's before the change, bit for bit")
    }
}
