import Foundation
import Testing
import TributaryLearning
import TributarySystem

@Suite(.serialized) struct CLITests {
    let digits = CLIProcess.packageRoot.appendingPathComponent("data/digits.csv").path

    /// Writes the digits of `classes` as a CSV.
    func digitsCSV(_ classes: Set<Int32>, in directory: String, name: String) throws -> String {
        let data = try CSVLoader.load(path: digits).filter(classes: classes)
        let path = directory + "/" + name
        try AtomicFile.write(Array(CSVLoader.render(data).utf8), to: path)
        return path
    }

    @Test func initTrainEvalOnRealFiles() throws {
        let dir = CLIProcess.temporaryDirectory()
        let model = dir + "/model.ckpt"
        let created = try CLIProcess.run(["init", "--out", model, "--inputs", "64", "--hidden", "64", "--outputs", "10", "--replay", "100", "--ewc-lambda", "10", "--epochs", "5", "--seed", "3"])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains("4810 parameters"))
        let first = try digitsCSV([0, 1, 2, 3, 4], in: dir, name: "a.csv")
        let second = try digitsCSV([5, 6, 7, 8, 9], in: dir, name: "b.csv")
        let trainA = try CLIProcess.run(["train", "--checkpoint", model, "--data", first, "--quiet"])
        #expect(trainA.status == 0, "\(trainA.stderr)")
        #expect(trainA.stdout.contains("generation 1"))
        let parent = dir + "/after-a.ckpt"
        try FileManager.default.copyItem(atPath: model, toPath: parent)
        let trainB = try CLIProcess.run(["train", "--checkpoint", model, "--data", second, "--report-json", dir + "/report.json"])
        #expect(trainB.status == 0, "\(trainB.stderr)")
        #expect(trainB.stderr.contains("epoch 5/5"))
        #expect(trainB.stdout.contains("past"))
        let report = try JSONDecoder().decode(JobReport.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/report.json")))
        #expect(report.examples == (try CSVLoader.load(path: second).count))
        #expect(report.newDataAfter.accuracy > 0.9)
        let eval = try CLIProcess.run(["eval", "--checkpoint", model, "--data", digits, "--parent", parent])
        #expect(eval.status == 0, "\(eval.stderr)")
        #expect(eval.stdout.contains("generation 2, 1797 examples seen"))
        #expect(eval.stdout.contains("stability vs"))
        let (loaded, _) = try CheckpointStore.load(from: model)
        #expect(Evaluation.accuracy(try loaded.model(), on: try CSVLoader.load(path: digits)) > 0.75)
    }

    @Test func initFromAJSONModelSpec() throws {
        let dir = CLIProcess.temporaryDirectory()
        let spec = dir + "/spec.json"
        try AtomicFile.write(Array(#"{"inputSize": 64, "layers": [{"units": 32, "activation": "tanh"}, {"units": 10, "activation": "identity"}], "loss": "softmaxCrossEntropy"}"#.utf8), to: spec)
        let created = try CLIProcess.run(["init", "--out", dir + "/m.ckpt", "--spec", spec, "--optimizer", "adam", "--lr", "0.01"])
        #expect(created.status == 0, "\(created.stderr)")
        let (checkpoint, _) = try CheckpointStore.load(from: dir + "/m.ckpt")
        #expect(checkpoint.spec.layers.map(\.units) == [32, 10])
        #expect(checkpoint.spec.layers[0].activation == .tanh)
        #expect(checkpoint.optimizer == .adam(Adam(learningRate: 0.01)))
        try AtomicFile.write(Array(#"{"inputSize": 64, "layers": [], "loss": "softmaxCrossEntropy"}"#.utf8), to: spec)
        let bad = try CLIProcess.run(["init", "--out", dir + "/n.ckpt", "--spec", spec])
        #expect(bad.status != 0)
        #expect(bad.stderr == "error: --spec \(spec): model spec: needs at least one layer, got none\n")
    }

    @Test func badFlagsAndFilesGetOneClearLine() throws {
        let dir = CLIProcess.temporaryDirectory()
        let model = dir + "/m.ckpt"
        #expect(try CLIProcess.run(["init", "--out", model, "--inputs", "64", "--outputs", "10"]).status == 0)
        let bad = dir + "/bad.csv"
        try AtomicFile.write(Array("a,b,label\n1,2,0\n1,zz,1\n".utf8), to: bad)
        let narrow = dir + "/narrow.csv"
        try AtomicFile.write(Array("a,b,label\n1,2,0\n3,4,1\n5,6,1\n7,8,0\n9,10,1\n11,12,0\n13,14,1\n".utf8), to: narrow)
        let cases: [([String], String)] = [
            (["train", "--checkpoint", model, "--data", bad], "row 3, column 2 (b): 'zz' is not a number"),
            (["train", "--checkpoint", dir + "/none.ckpt", "--data", bad], "cannot open \(dir)/none.ckpt"),
            (["train", "--checkpoint", bad, "--data", bad], "bad.csv: file is 23 bytes, too short for a checkpoint"),
            (["train", "--checkpoint", narrow, "--data", digits], "not a Tributary checkpoint"),
            (["train", "--checkpoint", model, "--data", digits, "--epochs", "0"], "epochs must be ≥ 1, got 0"),
            (["train", "--checkpoint", model, "--data", digits, "--freeze", "dense7"], "cannot freeze 'dense7'"),
            (["train", "--checkpoint", model, "--data", digits, "--ewc-mode", "sometimes"], "--ewc-mode must be online or separate, got 'sometimes'"),
            (["init", "--out", model, "--inputs", "4", "--outputs", "2"], "already exists"),
            (["init", "--out", dir + "/x.ckpt", "--inputs", "4", "--outputs", "2", "--activation", "swish"], "got 'swish'"),
            (["init", "--out", dir + "/x.ckpt", "--inputs", "4", "--outputs", "2", "--replay-policy", "decay:-3"], "decay:-3"),
            (["eval", "--checkpoint", model, "--data", narrow], "data has 2 features per example, the model takes 64"),
            (["demo", "--scenario", "rotated"], "--scenario must be split, permuted or all, got 'rotated'"),
        ]
        try expectOneErrorLine(cases)
        // The checkpoint the failures touched is intact.
        #expect(throws: Never.self) { try CheckpointStore.load(from: model) }
    }

    @Test func coordinatorAndRoundFailuresPrintOneLine() throws {
        let dir = CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cases: [([String], String)] = [
            (["coordinator", "serve", "--config", dir + "/none.yaml"], "none.yaml"),
            (["round", "status", "--admin", "127.0.0.1:1"], "127.0.0.1:1"),
            (["round", "start", "--admin", "127.0.0.1:1"], "127.0.0.1:1"),
        ]
        // Once: no second line `error: ExitCode(rawValue: N)`.
        try expectOneErrorLine(cases)
    }

    /// Each command fails with exactly one stderr line, `error: …` containing the expected text.
    func expectOneErrorLine(_ cases: [([String], String)]) throws {
        for (arguments, expected) in cases {
            let output = try CLIProcess.run(arguments)
            #expect(output.status != 0, "\(arguments) exited 0")
            let lines = output.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(arguments): \(output.stderr)")
            #expect(lines.first?.hasPrefix("error: ") == true && lines.first?.contains(expected) == true, "\(arguments): \(output.stderr)")
        }
    }

    @Test func killedTrainingLeavesAValidCheckpointAndRerunsDeterministically() throws {
        let dir = CLIProcess.temporaryDirectory()
        let model = dir + "/model.ckpt"
        #expect(try CLIProcess.run(["init", "--out", model, "--inputs", "64", "--hidden", "256,256", "--outputs", "10", "--replay", "500", "--ewc-lambda", "10", "--epochs", "12"]).status == 0)
        let original = try CheckpointStore.load(from: model).digest
        let pristine = dir + "/pristine.ckpt"
        try FileManager.default.copyItem(atPath: model, toPath: pristine)
        // Reference: the same job run to completion from a copy.
        let reference = dir + "/reference.ckpt"
        try FileManager.default.copyItem(atPath: model, toPath: reference)
        let started = Date()
        let done = try CLIProcess.run(["train", "--checkpoint", reference, "--data", digits, "--quiet"])
        let duration = Date().timeIntervalSince(started)
        #expect(done.status == 0, "\(done.stderr)")
        let completed = try CheckpointStore.load(from: reference).digest

        var sawOld = false
        // Kills early, mid-training, and around the end of the job, where the save happens.
        let fractions = [0.0, 0.02, 0.3, 0.6, 0.9, 0.95, 0.98, 0.99, 1.0, 1.01, 1.03]
        for delay in fractions.map({ $0 * duration }) {
            let (process, _, _) = try CLIProcess.launch(["train", "--checkpoint", model, "--data", digits, "--quiet"])
            Thread.sleep(forTimeInterval: delay)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            // Whatever instant the kill hit, the path holds a complete, verified checkpoint.
            let loaded = try CheckpointStore.load(from: model)
            #expect(loaded.digest == original || loaded.digest == completed, "after a kill at \(delay)s the checkpoint is neither parent nor candidate")
            if loaded.digest == original { sawOld = true }
            try FileManager.default.removeItem(atPath: model)
            try FileManager.default.copyItem(atPath: pristine, toPath: model)
        }
        #expect(sawOld)
        // Re-running the job after a crash gives the same candidate, bit for bit.
        let rerun = try CLIProcess.run(["train", "--checkpoint", model, "--data", digits, "--quiet"])
        #expect(rerun.status == 0)
        #expect(try CheckpointStore.load(from: model).digest == completed)
        // The killed writers' temporary files are gone after the next save.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("model.ckpt.tmp-") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    @Test func demoRunsAFleetOnLoopbackAndWritesTheReport() throws {
        let dir = CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let output = try CLIProcess.run(["demo", "--clients", "4", "--rounds-per-task", "2", "--report", dir + "/demo"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stderr.contains("simulate: 4 edge agents connected over mutual TLS"), "\(output.stderr)")
        #expect(output.stderr.contains("task 5/5 round 2/2: round 10 promoted"), "\(output.stderr)")
        #expect(output.stdout.contains("EWC-weighted aggregation + global EWC penalty + local replay: ACC"))
        #expect(output.stdout.contains("plain FedAvg: ACC"))
        for file in ["demo/report.json", "demo/accuracy.svg", "demo/partition.json", "demo/fedavg/report.json"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/" + file), "\(file)")
        }
    }

    @Test func demoInProcessPrintsTheAccuracyMatrix() throws {
        let output = try CLIProcess.run(["demo", "--in-process", "--scenario", "split", "--strategies", "naive,ewc+replay", "--epochs", "2", "--no-federated"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("split digits, ewc+replay"))
        #expect(output.stdout.contains("after \\ on"))
        #expect(output.stdout.contains("ACC"))
    }
}
