import Foundation
import Testing
import TributaryLearning
import TributarySystem

/// A real coordinator process and two real edge processes, certificates from `tributary certs`,
/// exchanging a model and Updates over mutual TLS 1.3 on 127.0.0.1.
@Suite(.serialized) struct CoordinatorEdgeProcessTests {
    static var edgeBinary: URL {
        if let path = ProcessInfo.processInfo.environment["TRIBUTARY_EDGE_BIN"] { return URL(fileURLWithPath: path) }
        return CLIProcess.binary.deletingLastPathComponent().appendingPathComponent("tributary-edge")
    }

    /// Reads `pipe` until a line containing `marker` arrives (or `seconds` pass).
    static func waitForLine(_ pipe: Pipe, containing marker: String, seconds: Double) -> String? {
        let handle = pipe.fileHandleForReading
        var text = ""
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let data = handle.availableData
            if data.isEmpty { return nil }
            text += String(decoding: data, as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.contains(marker) }) { return String(line) }
        }
        return nil
    }

    static func launchEdge(_ arguments: [String]) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = edgeBinary
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return (process, out, err)
    }

    @Test func coordinatorAndTwoEdgesExchangeAModelAndUpdates() throws {
        let dir = CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fleet = dir + "/fleet"
        for arguments in [["certs", "init", "--dir", fleet],
                          ["certs", "issue", "--dir", fleet, "--server", "localhost", "--ip", "127.0.0.1"],
                          ["certs", "issue", "--dir", fleet, "--client", "edge-1"],
                          ["certs", "issue", "--dir", fleet, "--client", "edge-2"],
                          ["init", "--out", dir + "/model.ckpt", "--inputs", "64", "--hidden", "32", "--outputs", "10", "--epochs", "2", "--seed", "3"]] {
            let result = try CLIProcess.run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        let digits = try CSVLoader.load(path: CLIProcess.packageRoot.appendingPathComponent("data/digits.csv").path)
        for (index, classes) in [Set<Int32>([0, 1, 2, 3, 4]), [5, 6, 7, 8, 9]].enumerated() {
            try AtomicFile.write(Array(CSVLoader.render(digits.filter(classes: classes)).utf8), to: dir + "/edge-\(index + 1).csv")
        }

        let (coordinator, coordinatorOut, coordinatorErr) = try CLIProcess.launch([
            "coordinator", "serve", "--fleet", fleet, "--cert", fleet + "/localhost.pem", "--key", fleet + "/localhost-key.pem",
            "--checkpoint", dir + "/model.ckpt", "--listen", "127.0.0.1:0", "--rounds", "1", "--min-clients", "2",
        ])
        defer { if coordinator.isRunning { coordinator.terminate() } }
        guard let listening = Self.waitForLine(coordinatorOut, containing: "listening on", seconds: 60),
              let port = listening.split(separator: " ").first(where: { $0.hasPrefix("127.0.0.1:") })?.split(separator: ":").last else {
            Issue.record("coordinator did not start: \(String(decoding: coordinatorErr.fileHandleForReading.availableData, as: UTF8.self))")
            return
        }
        #expect(listening.contains("TLS 1.3"))

        var edges: [(Process, Pipe, Pipe)] = []
        for id in ["edge-1", "edge-2"] {
            edges.append(try Self.launchEdge([
                "run", "--coordinator", "127.0.0.1:\(port)", "--ca", fleet + "/ca.pem", "--cert", fleet + "/\(id).pem",
                "--key", fleet + "/\(id)-key.pem", "--data", dir + "/\(id).csv", "--state", dir + "/state-\(id)", "--rounds", "1",
            ]))
        }
        let watchdog = DispatchWorkItem {
            for (edge, _, _) in edges where edge.isRunning { edge.terminate() }
            if coordinator.isRunning { coordinator.terminate() }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + 180, execute: watchdog)
        defer { watchdog.cancel() }

        for (index, (edge, out, err)) in edges.enumerated() {
            let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            edge.waitUntilExit()
            #expect(edge.terminationStatus == 0, "edge-\(index + 1): \(stderr)")
            #expect(stdout.contains("edge edge-\(index + 1): sent Update for round 1"), "\(stdout)\n\(stderr)")
            #expect(FileManager.default.fileExists(atPath: dir + "/state-edge-\(index + 1)/edge.ckpt"))
        }
        let rest = String(decoding: coordinatorOut.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let log = String(decoding: coordinatorErr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        coordinator.waitUntilExit()
        #expect(coordinator.terminationStatus == 0, "\(log)")
        for id in ["edge-1", "edge-2"] {
            #expect(rest.contains("round 1: Update from \(id):"), "\(rest)")
        }
        #expect(rest.contains("fisher present"))
        #expect(rest.contains("coordinator: 1 round(s) completed"))
        #expect(log.contains("tls.version=tlsv13"), "\(log)")
    }

    @Test func revokedEdgeReadsWhy() throws {
        let dir = CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fleet = dir + "/fleet"
        for arguments in [["certs", "init", "--dir", fleet],
                          ["certs", "issue", "--dir", fleet, "--server", "localhost", "--ip", "127.0.0.1"],
                          ["certs", "issue", "--dir", fleet, "--client", "edge-9"],
                          ["certs", "revoke", "edge-9", "--dir", fleet],
                          ["init", "--out", dir + "/model.ckpt", "--inputs", "64", "--hidden", "8", "--outputs", "10"]] {
            let result = try CLIProcess.run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        try "1,2,3\n".write(toFile: dir + "/tiny.csv", atomically: true, encoding: .utf8)
        let (coordinator, coordinatorOut, _) = try CLIProcess.launch([
            "coordinator", "serve", "--fleet", fleet, "--cert", fleet + "/localhost.pem", "--key", fleet + "/localhost-key.pem",
            "--checkpoint", dir + "/model.ckpt", "--listen", "127.0.0.1:0",
        ])
        defer { coordinator.terminate() }
        guard let listening = Self.waitForLine(coordinatorOut, containing: "listening on", seconds: 60),
              let port = listening.split(separator: " ").first(where: { $0.hasPrefix("127.0.0.1:") })?.split(separator: ":").last else {
            Issue.record("coordinator did not start")
            return
        }
        let (edge, _, err) = try Self.launchEdge([
            "run", "--coordinator", "127.0.0.1:\(port)", "--ca", fleet + "/ca.pem", "--cert", fleet + "/edge-9.pem",
            "--key", fleet + "/edge-9-key.pem", "--data", CLIProcess.packageRoot.appendingPathComponent("data/digits.csv").path,
            "--state", dir + "/state",
        ])
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        edge.waitUntilExit()
        #expect(edge.terminationStatus == 1)
        #expect(stderr.contains("Error: coordinator rejected this client:"), "\(stderr)")
        #expect(stderr.contains("(code revoked)"), "\(stderr)")
    }
}
