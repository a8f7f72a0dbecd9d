import Foundation
import Testing
import TributaryLearning
import TributaryRegistry
import TributarySystem

/// Real `tributary coordinator serve` and `tributary-edge run` processes over mutual TLS 1.3 on
/// 127.0.0.1, certificates from `tributary certs`, configuration from a YAML file.
@Suite(.serialized) struct CoordinatorEdgeProcessTests {
    static var edgeBinary: URL {
        if let path = ProcessInfo.processInfo.environment["TRIBUTARY_EDGE_BIN"] { return URL(fileURLWithPath: path) }
        return CLIProcess.binary.deletingLastPathComponent().appendingPathComponent("tributary-edge")
    }

    /// Reads `pipe` until a line containing `marker` arrives (nil when it closes or `seconds` pass).
    static func waitForLine(_ pipe: Pipe, containing marker: String, seconds: Double) -> String? {
        let reader = LineReader(pipe)
        return reader.waitFor(marker, seconds: seconds)
    }

    /// A fleet, an initial model, two edges' data and a coordinator.yaml in a temp directory.
    struct Fixture {
        let dir = CLIProcess.temporaryDirectory()
        var fleet: String { dir + "/fleet" }
        var registry: String { dir + "/registry" }
        var config: String { dir + "/coordinator.yaml" }

        init(edges: [String] = ["edge-1", "edge-2"], revoked: [String] = []) throws {
            var commands = [["certs", "init", "--dir", fleet], ["certs", "issue", "--dir", fleet, "--server", "localhost", "--ip", "127.0.0.1"]]
            commands += edges.map { ["certs", "issue", "--dir", fleet, "--client", $0] }
            commands += revoked.map { ["certs", "revoke", $0, "--dir", fleet] }
            commands.append(["init", "--out", dir + "/global.ckpt", "--inputs", "64", "--hidden", "32", "--outputs", "10", "--epochs", "2", "--seed", "3"])
            for arguments in commands {
                let result = try CLIProcess.run(arguments)
                #expect(result.status == 0, "\(arguments): \(result.stderr)")
            }
            let digits = try CSVLoader.load(path: CLIProcess.packageRoot.appendingPathComponent("data/digits.csv").path)
            for (index, id) in edges.enumerated() {
                let share = digits.subset(stride(from: index, to: 600, by: edges.count))
                try AtomicFile.write(Array(CSVLoader.render(share).utf8), to: dir + "/\(id).csv")
            }
            try AtomicFile.write(Array(CSVLoader.render(digits.subset(1200..<1797)).utf8), to: dir + "/held-out.csv")
            let yaml = """
                listen: 127.0.0.1:0
                tls:
                  certificate: fleet/localhost.pem
                  key: fleet/localhost-key.pem
                  ca: fleet/ca.pem
                  deny_list: fleet/revoked.txt
                registry:
                  directory: registry
                model:
                  initial_checkpoint: global.ckpt
                rounds:
                  trigger: ready_clients
                  ready_clients: 2
                  target_updates: 2
                  quorum: 2
                  collect_timeout: 90s
                evaluation:
                  held_out: [digits=held-out.csv]
                  max_client_accuracy_drop: 1
                admin:
                  listen: 127.0.0.1:0
                """
            try yaml.write(toFile: config, atomically: true, encoding: .utf8)
        }

        func remove() { try? FileManager.default.removeItem(atPath: dir) }

        func launchCoordinator(_ extra: [String] = []) throws -> Coordinator {
            let (process, out, err) = try CLIProcess.launch(["coordinator", "serve", "--config", config] + extra)
            return Coordinator(process: process, out: LineReader(out), err: err)
        }

        /// The coordinator with a crash-test hook: it prints `pause: POINT round ID` at `point`
        /// and holds its registry work there until killed (`tributary-coordinator-crashtest`).
        func launchPausingCoordinator(at point: String) throws -> Coordinator {
            let process = Process()
            process.executableURL = CLIProcess.binary.deletingLastPathComponent().appendingPathComponent("tributary-coordinator-crashtest")
            process.arguments = ["--pause-at", point, "--config", config]
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            return Coordinator(process: process, out: LineReader(out), err: err)
        }

        /// An edge agent; `rounds` nil runs it until it is stopped (reconnecting when the coordinator goes away).
        /// `yaml`: a configuration file's text (its data then goes to the feedback store), e.g.
        /// to open the loopback endpoint.
        func launchEdge(_ id: String, port: Int, rounds: Int? = 1, yaml: String? = nil) throws -> (Process, Pipe, Pipe) {
            let process = Process()
            process.executableURL = CoordinatorEdgeProcessTests.edgeBinary
            var configuration: [String] = []
            if let yaml {
                try yaml.write(toFile: dir + "/\(id).yaml", atomically: true, encoding: .utf8)
                configuration = ["--config", dir + "/\(id).yaml"]
            }
            process.arguments = ["run", "--coordinator", "127.0.0.1:\(port)", "--ca", fleet + "/ca.pem", "--cert", fleet + "/\(id).pem",
                                 "--key", fleet + "/\(id)-key.pem", "--data", dir + "/\(id).csv", "--state", dir + "/state-\(id)"]
                + configuration + (rounds.map { ["--rounds", "\($0)"] } ?? [])
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            return (process, out, err)
        }

        func models(_ arguments: [String]) throws -> CLIProcess.Output {
            try CLIProcess.run(["models"] + arguments + ["--registry", registry])
        }
    }

    /// A running coordinator process and its stdout, line by line.
    struct Coordinator {
        let process: Process
        let out: LineReader
        let err: Pipe

        /// Waits for the "listening on" line; returns the edge port.
        func port() throws -> Int {
            let line = try #require(out.waitFor("coordinator listening on", seconds: 120), "coordinator did not start: \(stderrText())")
            let address = try #require(line.split(separator: " ").first { $0.hasPrefix("127.0.0.1:") })
            return try #require(Int(address.split(separator: ":").last!.filter(\.isNumber)))
        }

        func stderrText() -> String {
            if process.isRunning { return "" }
            return String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        }

        func kill() {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Reads a pipe in the background and lets a test wait for a line (bounded by a deadline).
    final class LineReader: @unchecked Sendable {
        private let lock = NSCondition()
        private var text = ""
        private var closed = false

        init(_ pipe: Pipe) {
            let handle = pipe.fileHandleForReading
            Thread.detachNewThread { [self] in
                while true {
                    let data = handle.availableData
                    lock.lock()
                    if data.isEmpty { closed = true } else { text += String(decoding: data, as: UTF8.self) }
                    lock.broadcast()
                    lock.unlock()
                    if data.isEmpty { return }
                }
            }
        }

        var all: String {
            lock.lock(); defer { lock.unlock() }
            return text
        }

        /// The first line containing `marker`, or nil when the stream closed or time ran out first.
        func waitFor(_ marker: String, seconds: Double) -> String? {
            let deadline = Date().addingTimeInterval(seconds)
            lock.lock(); defer { lock.unlock() }
            while true {
                if let line = text.split(separator: "\n").first(where: { $0.contains(marker) }) { return String(line) }
                if closed || !lock.wait(until: deadline) { return nil }
            }
        }

        func waitForEnd(seconds: Double) -> String {
            let deadline = Date().addingTimeInterval(seconds)
            lock.lock(); defer { lock.unlock() }
            while !closed, lock.wait(until: deadline) {}
            return text
        }
    }

    static func stop(_ edges: [(Process, Pipe, Pipe)]) {
        for (edge, _, _) in edges where edge.isRunning { edge.terminate() }
        for (edge, _, _) in edges { edge.waitUntilExit() }
    }

    @Test func twoEdgesRunTwoRoundsAndTheCoordinatorStopsCleanly() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let coordinator = try fixture.launchCoordinator(["--set", "rounds.max_rounds=2"])
        defer { if coordinator.process.isRunning { coordinator.kill() } }
        let port = try coordinator.port()
        let edges = try ["edge-1", "edge-2"].map { try fixture.launchEdge($0, port: port, rounds: 2) }
        defer { Self.stop(edges) }
        let output = coordinator.out.waitForEnd(seconds: 240)
        coordinator.process.waitUntilExit()
        #expect(coordinator.process.terminationStatus == 0, "\(coordinator.stderrText())")
        #expect(output.contains("round 1 started: offered to 2 clients (base version 1)"), "\(output)")
        #expect(output.contains("round 1 update accepted from edge-1"), "\(output)")
        #expect(output.contains("round 1 closed: 2 updates"), "\(output)")
        #expect(output.contains("version 2 promoted; digits "), "\(output)")
        #expect(output.contains("round 2 closed: 2 updates"), "\(output)")
        #expect(output.contains("coordinator stopped: 2 round(s) ended (rounds.max_rounds)"), "\(output)")
        for (index, (edge, out, _)) in edges.enumerated() {
            edge.waitUntilExit()
            let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(edge.terminationStatus == 0)
            #expect(stdout.contains("edge edge-\(index + 1): sent Update for round 2"), "\(stdout)")
        }
        let list = try fixture.models(["list"])
        #expect(list.status == 0 && list.stdout.contains("live"), "\(list.stdout)\(list.stderr)")
    }

    @Test func sigtermSaysGoodbyeAndTheAdminEndpointAnswers() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let coordinator = try fixture.launchCoordinator()
        defer { if coordinator.process.isRunning { coordinator.kill() } }
        let port = try coordinator.port()
        let listening = try #require(coordinator.out.waitFor("listening on", seconds: 1))
        let admin = try #require(listening.split(separator: " ").last?.filter { $0.isNumber || $0 == "." || $0 == ":" })
        let edge = try fixture.launchEdge("edge-1", port: port)
        // One ready client, two needed: no round; the operator's start is refused with the reason.
        var status = ""
        for _ in 0..<1200 {  // 120 s: only a hang ends the wait (an edge process starts slowly on a loaded machine)
            status = try CLIProcess.run(["round", "status", "--admin", String(admin)]).stdout
            if status.contains("\"population\":1") { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(status.contains("\"live_version\":1") && status.contains("\"population\":1"), "\(status)")
        let start = try CLIProcess.run(["round", "start", "--admin", String(admin)])
        #expect(start.status == 1 && start.stderr.contains("error: only 1 eligible clients are connected (of 1: eligible means ready to train") && start.stderr.contains("the quorum is 2 (HTTP 409)"), "\(start.stderr)")
        let bad = try CLIProcess.run(["round", "start", "--admin", "nowhere"])
        #expect(bad.status != 0 && bad.stderr.contains("--admin is 'nowhere'"), "\(bad.stderr)")

        coordinator.process.terminate()
        let output = coordinator.out.waitForEnd(seconds: 60)
        coordinator.process.waitUntilExit()
        #expect(coordinator.process.terminationStatus == 0, "\(coordinator.stderrText())")
        #expect(output.contains("coordinator stopped: graceful shutdown"), "\(output)")
        // Goodbye{SHUTDOWN} means "come back later": the edge agent keeps trying until it is stopped itself.
        let edgeLines = LineReader(edge.2)
        #expect(edgeLines.waitFor("coordinator said goodbye", seconds: 30)?.contains("reason=1") == true, "\(edgeLines.all)")
        edge.0.terminate()
        edge.0.waitUntilExit()
        #expect(edge.0.terminationStatus == 0, "\(edgeLines.all)")
    }

    @Test func revokingAConnectedEdgeCutsItsSessionAndTheAgentStops() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let coordinator = try fixture.launchCoordinator(["--set", "tls.revocation_check=200ms"])
        defer { if coordinator.process.isRunning { coordinator.kill() } }
        let port = try coordinator.port()
        let edge = try fixture.launchEdge("edge-1", port: port)
        defer { Self.stop([edge]) }
        let edgeLines = LineReader(edge.2)
        // Two ready clients are needed for a round: edge-1 stays connected, idle.
        #expect(edgeLines.waitFor("session open", seconds: 60) != nil, "\(edgeLines.all)")

        let revoke = try CLIProcess.run(["certs", "revoke", "edge-1", "--dir", fixture.fleet])
        #expect(revoke.status == 0, "\(revoke.stderr)")
        let log = edgeLines.waitForEnd(seconds: 60)
        edge.0.waitUntilExit()
        #expect(edge.0.terminationStatus == 1, "\(log)")
        #expect(log.contains("the coordinator revoked this client: client edge-1 (certificate serial"), "\(log)")
        #expect(log.contains("this edge's certificate is revoked; issue a new one"), "\(log)")
        #expect(coordinator.process.isRunning)
    }

    /// SIGKILL at each point of a round, restart, and check the registry and the journal.
    @Test(arguments: [
        ("offered", "round 1 recovered: resumed", "round 1 closed: 2 updates", 2),
        ("aggregating", "round 1 recovered: abandoned: coordinator restarted while aggregating round 1", "round 2 closed: 2 updates", 2),
        ("committing", "round 1 recovered: abandoned: coordinator restarted while committing round 1", "round 2 closed: 2 updates", 2),
        ("registered", "round 1 recovered: closed with version 2, promoted on restart", "round 2 closed: 2 updates", 3),
    ])
    func killedMidRoundTheCoordinatorRecoversFromTheJournal(point: String, recovery: String, next: String, liveAfter: Int) throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let first = try fixture.launchPausingCoordinator(at: point)
        defer { if first.process.isRunning { first.kill() } }
        let port = try first.port()
        var edges = try ["edge-1", "edge-2"].map { try fixture.launchEdge($0, port: port) }
        let paused = first.out.waitFor("pause: \(point) round 1", seconds: 180)
        #expect(paused != nil, "\(first.out.all)")
        first.kill()
        Self.stop(edges)

        // Nothing half-written: every version the registry lists loads and verifies.
        let list = try fixture.models(["list"])
        #expect(list.status == 0, "\(list.stderr)")
        let liveBefore = point == "registered" ? 1 : 1
        #expect(try fixture.models(["show", "\(liveBefore)"]).status == 0)

        let second = try fixture.launchCoordinator(["--set", "rounds.max_rounds=1"])
        defer { if second.process.isRunning { second.kill() } }
        let port2 = try second.port()
        edges = try ["edge-1", "edge-2"].map { try fixture.launchEdge($0, port: port2) }
        defer { Self.stop(edges) }
        let output = second.out.waitForEnd(seconds: 240)
        second.process.waitUntilExit()
        #expect(second.process.terminationStatus == 0, "\(second.stderrText())")
        #expect(output.contains(recovery), "\(output)")
        #expect(output.contains(next), "\(output)")
        #expect(output.contains("version \(liveAfter) promoted"), "\(output)")

        let after = try fixture.models(["list"])
        #expect(after.stdout.contains("live"), "\(after.stdout)")
        for version in 1...liveAfter {
            let exported = fixture.dir + "/v\(version).ckpt"
            let export = try fixture.models(["export", "\(version)", "--out", exported])
            #expect(export.status == 0, "\(export.stderr)")
            let checkpoint = try CheckpointStore.load(from: exported).checkpoint
            #expect(checkpoint.metadata["model.version"] == "\(version)")
        }
        let show = try fixture.models(["show", "\(liveAfter)"])
        #expect(show.stdout.contains("live"), "\(show.stdout)")
    }

    /// Issue 11's restart: SIGKILL while collecting with an accepted (journaled) update, restart on
    /// the same registry and port; the edges, still running, reconnect and are offered round 1
    /// again; the one whose update the journal holds resends it unchanged, and the round closes
    /// with both clients counted once.
    @Test
    func killedWhileCollectingTheRestartedCoordinatorResumesTheRoundAndCountsTheResendOnce() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let first = try fixture.launchPausingCoordinator(at: "collecting")
        defer { if first.process.isRunning { first.kill() } }
        let port = try first.port()
        let edges = try ["edge-1", "edge-2"].map { try fixture.launchEdge($0, port: port, rounds: nil) }
        defer { Self.stop(edges) }
        let paused = first.out.waitFor("pause: collecting round 1", seconds: 180)
        #expect(paused != nil, "\(first.out.all)")
        first.kill()

        let registry = try ModelRegistry(configuration: RegistryConfiguration(directory: fixture.registry, access: .readOnly))
        let journaled = try registry.round(1)
        #expect(journaled.state == .collecting && journaled.updates.count == 1, "\(journaled)")
        let resender = try #require(journaled.updates.first?.clientID)

        let second = try fixture.launchCoordinator(["--listen", "127.0.0.1:\(port)", "--set", "rounds.max_rounds=1"])
        defer { if second.process.isRunning { second.kill() } }
        let output = second.out.waitForEnd(seconds: 300)
        second.process.waitUntilExit()
        #expect(second.process.terminationStatus == 0, "\(second.stderrText())")
        #expect(output.contains("round 1 recovered: resumed until its deadline; offered again to its 2 selected clients as they reconnect, 1 of them asked to resend their accepted update"), "\(output)")
        #expect(output.contains("round 1 update accepted from \(resender)"), "\(output)")
        #expect(!output.contains("update refused"), "\(output)")
        #expect(output.contains("round 1 closed: 2 updates"), "\(output)")
        #expect(output.contains("version 2 promoted"), "\(output)")
        let closed = try registry.round(1)
        #expect(closed.state == .closed && closed.resultVersion == 2, "\(closed)")
        #expect(closed.updates.map(\.clientID).sorted() == ["edge-1", "edge-2"], "each client journaled once: \(closed.updates)")
        #expect(closed.updates.first { $0.clientID == resender } == journaled.updates.first, "the resend was not journaled again")
    }
}
