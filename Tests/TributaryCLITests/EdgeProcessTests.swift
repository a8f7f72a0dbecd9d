import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TributaryLearning
import TributarySystem

/// The long-running `tributary-edge run --config`, as real processes: SIGKILLed mid-training and
/// restarted, SIGKILLed after feedback was posted, refused configuration.
@Suite(.serialized) struct EdgeProcessTests {
    /// A fleet with the coordinator's and `clients`' certificates, and an initial model.
    static func fleet(_ dir: String, clients: [String]) throws {
        let fleet = dir + "/fleet"
        var commands = [["certs", "init", "--dir", fleet], ["certs", "issue", "--dir", fleet, "--server", "localhost", "--ip", "127.0.0.1"]]
        commands += clients.map { ["certs", "issue", "--dir", fleet, "--client", $0] }
        commands.append(["init", "--out", dir + "/model.ckpt", "--inputs", "64", "--hidden", "32", "--outputs", "10", "--epochs", "3", "--seed", "3"])
        for arguments in commands {
            let result = try CLIProcess.run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
    }

    static func config(_ dir: String, id: String, port: Int, extra: String = "") -> String {
        """
        coordinator: {address: "127.0.0.1:\(port)"}
        tls: {ca: \(dir)/fleet/ca.pem, cert: \(dir)/fleet/\(id).pem, key: \(dir)/fleet/\(id)-key.pem}
        state: {directory: \(dir)/state-\(id)}
        feedback: {features: 64, classes: 10}
        reconnect: {initial: 100ms, maximum: 1s}
        triggers: {check_interval: 100ms}
        \(extra)
        """
    }

    /// `tributary-edge run` with a crash-test hook (`--pause-at training`), built beside the shipped edge; not shipped.
    static var crashTestBinary: URL {
        CoordinatorEdgeProcessTests.edgeBinary.deletingLastPathComponent().appendingPathComponent("tributary-edge-crashtest")
    }

    static func launch(_ arguments: [String], binary: URL = CoordinatorEdgeProcessTests.edgeBinary,
                       environment: [String: String] = [:]) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return (process, out, err)
    }

    /// A real `tributary coordinator serve` that starts a round whenever one client is ready.
    static func startCoordinator(_ dir: String, rounds: Int) throws -> (Process, CoordinatorEdgeProcessTests.LineReader, Int)? {
        let yaml = """
            listen: 127.0.0.1:0
            tls: {certificate: fleet/localhost.pem, key: fleet/localhost-key.pem, ca: fleet/ca.pem}
            registry: {directory: registry}
            model: {initial_checkpoint: model.ckpt}
            rounds: {trigger: ready_clients, ready_clients: 1, target_updates: 1, quorum: 1, collect_timeout: 120s, max_rounds: \(rounds)}
            evaluation: {max_client_accuracy_drop: 1}
            admin: {enabled: false}
            """
        try yaml.write(toFile: dir + "/coordinator.yaml", atomically: true, encoding: .utf8)
        let (coordinator, out, _) = try CLIProcess.launch(["coordinator", "serve", "--config", dir + "/coordinator.yaml"])
        let lines = CoordinatorEdgeProcessTests.LineReader(out)
        guard let line = lines.waitFor("listening on", seconds: 60),
              let port = line.split(separator: " ").first(where: { $0.hasPrefix("127.0.0.1:") })?.split(separator: ":").last.flatMap({ Int($0) })
        else {
            coordinator.terminate()
            return nil
        }
        return (coordinator, lines, port)
    }

    @Test func sigkillMidTrainingLeavesTheCheckpointIntactAndTheEdgeAnswersTheNextRound() throws {
        let dir = CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.fleet(dir, clients: ["edge-1"])
        try AtomicFile.write(Array(Self.csv(rows: 300).utf8), to: dir + "/local.csv")
        guard let started = try Self.startCoordinator(dir, rounds: 20) else {
            Issue.record("coordinator did not start")
            return
        }
        let (coordinator, coordinatorOut, port) = started
        defer { if coordinator.isRunning { coordinator.terminate() } }
        // A 300-example window: the 200 examples imported later push the oldest 200 out, into replay.
        try Self.config(dir, id: "edge-1", port: port, extra: "feedback: {features: 64, classes: 10, import: [\(dir)/local.csv]}\ncontext: {window_examples: 300}")
            .replacingOccurrences(of: "feedback: {features: 64, classes: 10}\n", with: "")
            .write(toFile: dir + "/edge.yaml", atomically: true, encoding: .utf8)
        let checkpoint = dir + "/state-edge-1/edge.ckpt"

        // Round 1, answered; the edge exits after it. The shipped edge has no test hook: the
        // environment variable that once paused it at training changes nothing.
        let (first, firstOut, firstErr) = try Self.launch(["run", "--config", dir + "/edge.yaml", "--rounds", "1"],
                                                          environment: ["TRIBUTARY_TEST_PAUSE_AT": "training"])
        let firstLines = String(decoding: firstOut.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        first.waitUntilExit()
        #expect(first.terminationStatus == 0, "\(String(decoding: firstErr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))")
        #expect(firstLines.contains("imported 300 example(s)"), "\(firstLines)")
        #expect(firstLines.contains("sent Ready (trigger startup)"), "\(firstLines)")
        #expect(firstLines.contains("sent Update for round 1"), "\(firstLines)")
        #expect(!firstLines.contains("paused"), "\(firstLines)")
        let (afterRound1, digest1) = try CheckpointStore.load(from: checkpoint)
        #expect(["1", "2"].contains(afterRound1.metadata["model.version"]))  // trained from 1; 2 once its release arrived

        // Round 2: new feedback, SIGKILL while the job trains. The same agent, configuration and
        // store, from `tributary-edge-crashtest`, which holds the job at its first step.
        try AtomicFile.write(Array(Self.csv(rows: 200, seed: 9).utf8), to: dir + "/more.csv")
        let imported = try Self.launch(["import", "--config", dir + "/edge.yaml", dir + "/more.csv"])
        imported.0.waitUntilExit()
        #expect(imported.0.terminationStatus == 0)
        let (second, secondOut, _) = try Self.launch(["--pause-at", "training", "--config", dir + "/edge.yaml"], binary: Self.crashTestBinary)
        let paused = CoordinatorEdgeProcessTests.waitForLine(secondOut, containing: "paused at training", seconds: 120)
        #expect(paused != nil)
        // On connect the edge adopted the released version 2 (saved) before this job began.
        let (_, digestBeforeJob) = try CheckpointStore.load(from: checkpoint)
        kill(second.processIdentifier, SIGKILL)
        second.waitUntilExit()
        #expect(second.terminationReason == .uncaughtSignal)
        let (afterKill, digestAfterKill) = try CheckpointStore.load(from: checkpoint)  // loads: checksummed, complete
        #expect(digestAfterKill == digestBeforeJob)  // the parent: the killed job saved nothing
        #expect(digest1.count == 64)
        #expect(afterKill.replay.examples.count == afterRound1.replay.examples.count)

        // Restarted: it rejoins, answers the next round from its checkpoint, and trains on the new feedback.
        let (third, thirdOut, thirdErr) = try Self.launch(["run", "--config", dir + "/edge.yaml", "--rounds", "1"])
        let thirdLines = String(decoding: thirdOut.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        third.waitUntilExit()
        #expect(third.terminationStatus == 0, "\(String(decoding: thirdErr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))")
        // coordinator serve numbers rounds as it starts them; which one the restarted edge joins is its business.
        #expect(thirdLines.contains("sent Update for round ") && thirdLines.contains("(300 examples"), "\(thirdLines)")
        let (afterRound3, _) = try CheckpointStore.load(from: checkpoint)
        // Round 1's examples are still in the window after it; the 200 that left it since are replayed.
        #expect(afterRound1.replay.examples.isEmpty)
        #expect(afterRound3.replay.examples.count > 0)
        #expect(afterRound3.lineage.generation == afterRound1.lineage.generation + 1)
        coordinator.terminate()
        let rest = coordinatorOut.waitForEnd(seconds: 60)
        coordinator.waitUntilExit()
        #expect(rest.components(separatedBy: "update accepted from edge-1").count - 1 == 2, "\(rest)")
    }

    @Test func feedbackPostedOverHTTPSurvivesSIGKILL() async throws {
        let dir = CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.fleet(dir, clients: ["edge-2"])
        // No coordinator listens on port 9: the agent keeps reconnecting while it ingests.
        try Self.config(dir, id: "edge-2", port: 9, extra: "ingestion: {enabled: true, listen: \"127.0.0.1:0\"}")
            .write(toFile: dir + "/edge.yaml", atomically: true, encoding: .utf8)
        let (edge, out, _) = try Self.launch(["run", "--config", dir + "/edge.yaml"])
        guard let line = CoordinatorEdgeProcessTests.waitForLine(out, containing: "feedback endpoint listening on", seconds: 60),
              let port = line.split(separator: ":").last.flatMap({ Int($0) }) else {
            edge.terminate()
            Issue.record("no feedback endpoint")
            return
        }
        var generator = SeededGenerator(seed: 21)
        for index in 0..<25 {
            let features = (0..<64).map { _ in "\(generator.nextGaussian())" }.joined(separator: ",")
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/v1/feedback")!)
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(#"{"features": [\#(features)], "label": \#(index % 10), "provenance": "label"}"#.utf8)
            let (_, response) = try await URLSession.shared.data(for: request)
            #expect((response as? HTTPURLResponse)?.statusCode == 201)
        }
        var bad = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/v1/feedback")!)
        bad.httpMethod = "POST"
        bad.setValue("application/json", forHTTPHeaderField: "Content-Type")
        bad.httpBody = Data(#"{"features": [1, 2], "label": 3, "provenance": "label"}"#.utf8)
        let (refusal, badResponse) = try await URLSession.shared.data(for: bad)
        #expect((badResponse as? HTTPURLResponse)?.statusCode == 400)
        #expect(String(decoding: refusal, as: UTF8.self).contains("features: 2 values, the model takes 64"))
        kill(edge.processIdentifier, SIGKILL)
        edge.waitUntilExit()

        let (restarted, restartedOut, _) = try Self.launch(["run", "--config", dir + "/edge.yaml"])
        defer { if restarted.isRunning { restarted.terminate() } }
        guard let again = CoordinatorEdgeProcessTests.waitForLine(restartedOut, containing: "feedback endpoint listening on", seconds: 60),
              let newPort = again.split(separator: ":").last.flatMap({ Int($0) }) else {
            Issue.record("no feedback endpoint after the restart")
            return
        }
        let (status, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(newPort)/v1/status")!)
        #expect(String(decoding: status, as: UTF8.self)
            == #"{"live_accuracy":{"current":null,"versions":[]},"model_version":null,"new_since_training":25,"predictions_logged":0,"review":{"dropped":0,"queued":0,"reviewed":0},"stored":25,"trainable":25}"#)
        restarted.terminate()  // SIGTERM: a clean stop
        restarted.waitUntilExit()
        #expect(restarted.terminationStatus == 0)
    }

    @Test func theShippedEdgeHasNoTestHook() throws {
        // Its help names no pause, and no hook's text or environment variable is in the binary.
        for arguments in [["--help"], ["run", "--help"], ["import", "--help"]] {
            let (edge, out, _) = try Self.launch(arguments)
            let help = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            edge.waitUntilExit()
            #expect(edge.terminationStatus == 0)
            #expect(help.contains("USAGE: tributary-edge"), "\(help)")
            #expect(!help.lowercased().contains("pause"), "\(help)")
        }
        let edge = CoordinatorEdgeProcessTests.edgeBinary
        #expect(try !Self.file(edge, contains: "TRIBUTARY_TEST"))
        #expect(try !Self.file(edge, contains: "paused at training"))
        #expect(try Self.file(Self.crashTestBinary, contains: "paused at training"))  // the search finds the hook where it is
    }

    /// True when the file holds `text`'s bytes. Read 1 MiB at a time, never mapped: a binary of
    /// 100+ MB mapped and scanned would stay in this test process's resident memory, which the
    /// next process it spawns inherits as its peak (CSVImportProcessTests measures that peak).
    static func file(_ url: URL, contains text: String) throws -> Bool {
        let needle = Data(text.utf8)
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var tail = Data()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            let window = tail + chunk
            if window.range(of: needle) != nil { return true }
            tail = window.suffix(needle.count - 1)
        }
        return false
    }

    @Test func theCrashTestEdgeRefusesAnUnknownPausePoint() throws {
        let (edge, _, err) = try Self.launch(["--pause-at", "aggregating", "--config", "/nonexistent/edge.yaml"], binary: Self.crashTestBinary)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        edge.waitUntilExit()
        #expect(edge.terminationStatus != 0)
        #expect(stderr.contains("'aggregating' is invalid for '--pause-at <point>'") && stderr.contains("'training'"), "\(stderr)")
    }

    @Test func invalidConfigurationFailsAtStartWithOneLine() throws {
        let dir = CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.config(dir, id: "x", port: 7443, extra: "triggers: {volume: lots}")
            .replacingOccurrences(of: "triggers: {check_interval: 100ms}\n", with: "")
            .write(toFile: dir + "/edge.yaml", atomically: true, encoding: .utf8)
        let (edge, _, err) = try Self.launch(["run", "--config", dir + "/edge.yaml"])
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        edge.waitUntilExit()
        #expect(edge.terminationStatus == 1)
        #expect(stderr == "Error: \(dir)/edge.yaml:6: triggers.volume is \"lots\"; must be a whole number in 0...100000000\n")
    }

    /// `rows` digits-shaped examples (64 features in 0...16, labels 0..<10), seeded.
    static func csv(rows: Int, seed: UInt64 = 4) -> String {
        var generator = SeededGenerator(seed: seed)
        return (0..<rows).map { _ in
            let label = generator.nextInt(below: 10)
            let features = (0..<64).map { j in "\((j + label) % 7 == 0 ? 16 : generator.nextInt(below: 4))" }
            return (features + ["\(label)"]).joined(separator: ",")
        }.joined(separator: "\n") + "\n"
    }
}
