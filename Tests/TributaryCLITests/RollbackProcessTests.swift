import Foundation
import Testing
import TributaryLearning
import TributarySystem

/// Issue 12, item 7, through real processes: `tributary coordinator serve`, two `tributary-edge`
/// agents over mutual TLS on 127.0.0.1, and `tributary models rollback` run by an operator. Two
/// rounds make versions 2 and 3, the edges adopt 3, the operator makes 2 live again (`models
/// rollback` beside the running coordinator or while it is down, `models reject 3` of the live
/// version, `models promote 2` of the older one), and each edge's checkpoint then holds version
/// 2's parameters bit for bit (as `tributary models export 2` writes them).
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

    @Test(arguments: LiveChange.allCases)
    func aLiveVersionChangeReachesEveryEdgeExactly(_ change: LiveChange) throws {
        let restart = change == .rollbackWhileCoordinatorIsDown
        let fixture = try Fixture(edges: Self.edges)
        defer { fixture.remove() }
        let settings = ["--set", "rounds.trigger=manual", "--set", "evaluation.max_task_drop=1", "--set", "registry.live_check=200ms"]
        var coordinator = try fixture.launchCoordinator(settings)
        defer { if coordinator.process.isRunning { coordinator.kill() } }
        let port = try coordinator.port()
        let admin = try Self.admin(coordinator)
        let edges = try Self.edges.map { try fixture.launchEdge($0, port: port, rounds: nil) }
        defer { CoordinatorEdgeProcessTests.stop(edges) }
        let logs = edges.map { LineReader($0.1) }
        let stderrs = edges.map { LineReader($0.2) }  // drained, so a full pipe never blocks an edge
        defer { withExtendedLifetime(stderrs) {} }

        for version in 2...3 {
            try Self.startRound(admin: admin)
            #expect(Self.wait({ coordinator.out.all }, for: "version \(version) released to 2 clients"), "\(coordinator.out.all)")
            for log in logs { #expect(Self.wait({ log.all }, for: "adopted model version \(version)"), "\(log.all)") }
        }
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
    }
}
