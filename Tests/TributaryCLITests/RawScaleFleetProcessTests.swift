import Foundation
import Testing
import TributaryLearning
import TributaryRegistry
import TributarySystem

/// Issue 12, item 5, through the real fleet: a sensor CSV with one column on a scale of ~1,000
/// (`RawScaleSensorData`) stayed at chance. With `tributary init --fit-data` the model carries
/// a standardiser; real `coordinator serve` and `tributary-edge run` processes over mutual TLS
/// on loopback train on the raw CSVs and the fleet's model reaches what standardised data reaches.
@Suite(.serialized) struct RawScaleFleetProcessTests {
    typealias Process_ = CoordinatorEdgeProcessTests

    struct Fixture {
        let dir = CLIProcess.temporaryDirectory()
        var fleet: String { dir + "/fleet" }
        var registry: String { dir + "/registry" }
        var config: String { dir + "/coordinator.yaml" }
        let edges = ["edge-1", "edge-2"]

        /// Certificates, each edge's raw CSV, a held-out CSV and a sample CSV (all seeded), the
        /// initial model (`fitData`: made with `--fit-data sample.csv`) and coordinator.yaml.
        init(fitData: Bool) throws {
            var commands = [["certs", "init", "--dir", fleet], ["certs", "issue", "--dir", fleet, "--server", "localhost", "--ip", "127.0.0.1"]]
            commands += edges.map { ["certs", "issue", "--dir", fleet, "--client", $0] }
            for arguments in commands {
                let result = try CLIProcess.run(arguments)
                #expect(result.status == 0, "\(arguments): \(result.stderr)")
            }
            for (index, id) in edges.enumerated() {
                try write(RawScaleSensorData.csv(count: 300, seed: 100 + UInt64(index)), to: "\(id).csv")
            }
            try write(RawScaleSensorData.csv(count: 300, seed: 200), to: "held-out.csv")
            try write(RawScaleSensorData.csv(count: 300, seed: 300), to: "sample.csv")
            let initialize = try CLIProcess.run(
                ["init", "--out", dir + "/global.ckpt", "--hidden", "16", "--outputs", "3", "--epochs", "3", "--batch-size", "16", "--seed", "3"]
                    + (fitData ? ["--fit-data", dir + "/sample.csv"] : ["--inputs", "3"]))
            #expect(initialize.status == 0, "\(initialize.stderr)")
            if fitData {
                #expect(initialize.stdout.contains("preprocessing: standardiser of 3 features (motion, pressure, temperature) fitted to 300 examples of \(dir)/sample.csv"),
                        "\(initialize.stdout)")
            }
            try write("""
                listen: 127.0.0.1:0
                tls:
                  certificate: fleet/localhost.pem
                  key: fleet/localhost-key.pem
                  ca: fleet/ca.pem
                  deny_list: fleet/revoked.txt
                  handshake_timeout: 120s
                registry:
                  directory: registry
                model:
                  initial_checkpoint: global.ckpt
                rounds:
                  trigger: ready_clients
                  ready_clients: 2
                  target_updates: 2
                  quorum: 2
                  collect_timeout: 120s
                evaluation:
                  held_out: [sensors=held-out.csv]
                  max_client_accuracy_drop: 1
                admin:
                  enabled: false
                """, to: "coordinator.yaml")
        }

        func write(_ text: String, to name: String) throws {
            try AtomicFile.write(Array(text.utf8), to: dir + "/" + name)
        }

        func remove() { try? FileManager.default.removeItem(atPath: dir) }

        func launchCoordinator(_ extra: [String] = []) throws -> Process_.Coordinator {
            let (process, out, err) = try CLIProcess.launch(["coordinator", "serve", "--config", config] + extra)
            return Process_.Coordinator(process: process, out: Process_.LineReader(out), err: err)
        }

        func launchEdge(_ id: String, port: Int, rounds: Int) throws -> (Process, Pipe, Pipe) {
            let process = Process()
            process.executableURL = Process_.edgeBinary
            process.arguments = ["run", "--coordinator", "127.0.0.1:\(port)", "--ca", fleet + "/ca.pem", "--cert", fleet + "/\(id).pem",
                                 "--key", fleet + "/\(id)-key.pem", "--data", dir + "/\(id).csv", "--state", dir + "/state-\(id)",
                                 "--rounds", "\(rounds)"]
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            return (process, out, err)
        }
    }

    @Test func aRawScaleCSVReachesWhatStandardisedDataReachesThroughTheFleet() throws {
        let fixture = try Fixture(fitData: true)
        defer { fixture.remove() }
        let coordinator = try fixture.launchCoordinator(["--set", "rounds.max_rounds=2"])
        defer { if coordinator.process.isRunning { coordinator.kill() } }
        let port = try coordinator.port()
        let edges = try fixture.edges.map { try fixture.launchEdge($0, port: port, rounds: 2) }
        defer { Process_.stop(edges) }
        let output = coordinator.out.waitForEnd(seconds: 600)  // only a hang ends the wait
        coordinator.process.waitUntilExit()
        #expect(coordinator.process.terminationStatus == 0, "\(coordinator.stderrText())")
        #expect(output.contains("coordinator stopped: 2 round(s) ended (rounds.max_rounds)"), "\(output)")
        #expect(!coordinator.stderrText().contains("no standardiser"))
        for (edge, _, _) in edges { edge.waitUntilExit() }

        // The live version carries the fitted standardiser; on fresh raw data it is far above chance (1/3).
        let registry = try ModelRegistry(configuration: RegistryConfiguration(directory: fixture.registry, access: .readOnly))
        let live = try #require(try registry.live())
        #expect(live.number > 1, "no round was promoted: \(output)")
        let model = try registry.load(live.number)
        #expect(model.preprocessing.featureNames == RawScaleSensorData.featureNames)
        #expect(model.preprocessing.standardizer != nil)
        let shown = try CLIProcess.run(["models", "show", "live", "--registry", fixture.registry])
        #expect(shown.stdout.contains("preprocessing: standardiser of 3 features (motion, pressure, temperature), mean±std "), "\(shown.stdout)")
        let test = RawScaleSensorData.examples(count: 600, seed: 400)
        let accuracy = Evaluation.accuracy(try model.model(), on: try model.preprocessing.apply(test))
        #expect(accuracy >= 0.85, "live version \(live.number): \(accuracy) on raw-scale data\n\(output)")
        // Each edge holds the same preprocessing in its checkpoint (its store keeps the raw rows).
        for id in fixture.edges {
            let held = try CheckpointStore.load(from: fixture.dir + "/state-\(id)/edge.ckpt").checkpoint
            #expect(held.preprocessing == model.preprocessing, "\(id)")
        }
    }

    /// Without `--fit-data` the coordinator fits nothing (version 1 is the file as given) and
    /// warns at start, naming the column on a scale of ~1,000 and the fix. (Fed raw, the edges'
    /// deltas on this data are ~30 times the `aggregation.max_delta_norm` bound and are refused.)
    @Test func withoutFitDataTheCoordinatorWarnsAtStartAndFitsNothing() throws {
        let fixture = try Fixture(fitData: false)
        defer { fixture.remove() }
        let coordinator = try fixture.launchCoordinator()
        defer { if coordinator.process.isRunning { coordinator.kill() } }
        _ = try coordinator.port()
        coordinator.process.terminate()
        coordinator.process.waitUntilExit()
        let stderr = coordinator.stderrText()
        #expect(stderr.contains("live model version 1 has no standardiser: features reach the model unscaled (held-out feature 'pressure' has mean 10"),
                "\(stderr)")
        #expect(stderr.contains("fit one to a sample of the data with `tributary init --fit-data SAMPLE.csv`"), "\(stderr)")
        let registry = try ModelRegistry(configuration: RegistryConfiguration(directory: fixture.registry, access: .readOnly))
        #expect(try registry.load(1).preprocessing.isIdentity)
    }

    /// `tributary train` and `eval` on raw CSVs apply the checkpoint's preprocessing too, and a
    /// CSV whose header names the columns in another order is refused naming both.
    @Test func trainAndEvalOnRawCSVsApplyTheCheckpointsStandardiser() throws {
        let dir = CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (name, seed) in [("sample", 1), ("train", 2), ("test", 3)] {
            try AtomicFile.write(Array(RawScaleSensorData.csv(count: 300, seed: UInt64(seed)).utf8), to: dir + "/\(name).csv")
        }
        let model = dir + "/m.ckpt"
        let created = try CLIProcess.run(["init", "--out", model, "--hidden", "16", "--outputs", "3", "--epochs", "10", "--batch-size", "16",
                                          "--fit-data", dir + "/sample.csv"])
        #expect(created.status == 0, "\(created.stderr)")
        let trained = try CLIProcess.run(["train", "--checkpoint", model, "--data", dir + "/train.csv", "--out", dir + "/t.ckpt", "--quiet"])
        #expect(trained.status == 0, "\(trained.stderr)")
        let evaluated = try CLIProcess.run(["eval", "--checkpoint", dir + "/t.ckpt", "--data", dir + "/test.csv"])
        #expect(evaluated.status == 0, "\(evaluated.stderr)")
        let accuracy = try #require(evaluated.stdout.split(separator: "\n").first { $0.hasPrefix("accuracy ") }?.split(separator: " ")[1].dropLast())
        #expect(try #require(Double(accuracy)) >= 85, "\(evaluated.stdout)")

        var swapped = RawScaleSensorData.csv(count: 30, seed: 4).split(separator: "\n", omittingEmptySubsequences: false)
        swapped[0] = "pressure,motion,temperature,activity"
        try AtomicFile.write(Array(swapped.joined(separator: "\n").utf8), to: dir + "/swapped.csv")
        let refused = try CLIProcess.run(["eval", "--checkpoint", model, "--data", dir + "/swapped.csv"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("\(dir)/swapped.csv: features named pressure,motion,temperature; the model expects motion,pressure,temperature"),
                "\(refused.stderr)")
    }

    @Test func fitDataErrorsNameTheFileAndTheValue() throws {
        let dir = CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try AtomicFile.write(Array(RawScaleSensorData.csv(count: 30, seed: 1).utf8), to: dir + "/sample.csv")
        let wrongWidth = try CLIProcess.run(["init", "--out", dir + "/a.ckpt", "--inputs", "4", "--outputs", "3", "--fit-data", dir + "/sample.csv"])
        #expect(wrongWidth.status != 0)
        #expect(wrongWidth.stderr.contains("--fit-data \(dir)/sample.csv has 3 features; the model spec (--inputs/--spec) takes 4"), "\(wrongWidth.stderr)")
        let missing = try CLIProcess.run(["init", "--out", dir + "/b.ckpt", "--outputs", "3", "--fit-data", dir + "/none.csv"])
        #expect(missing.status != 0 && missing.stderr.contains("--fit-data \(dir)/none.csv: cannot open \(dir)/none.csv"), "\(missing.stderr)")
        try AtomicFile.write(Array("a,b,label\n1,x,0\n".utf8), to: dir + "/bad.csv")
        let bad = try CLIProcess.run(["init", "--out", dir + "/c.ckpt", "--outputs", "3", "--fit-data", dir + "/bad.csv"])
        #expect(bad.status != 0 && bad.stderr.contains("--fit-data \(dir)/bad.csv: \(dir)/bad.csv: row 2, column 2 (b): 'x' is not a number"), "\(bad.stderr)")
    }
}
