import Foundation
import Testing
import TributaryLearning
import TributaryONNX
import TributaryRegistry

/// `tributary models export --format onnx`, `tributary predict` and `tributary-edge export
/// --format onnx`, run as a user runs them; the files they write are compared with the library's
/// own export of the same model (the graph itself is checked in TributaryONNXTests).
@Suite struct ONNXExportProcessTests {
    /// 4 features, column 1 on a scale of ~1,000; labels 0…2.
    static func csv(count: Int, seed: UInt64) -> Dataset {
        var generator = SeededGenerator(seed: seed)
        var data = Dataset(featureCount: 4)
        for index in 0..<count {
            let row = (0..<4).map { $0 == 1 ? 1000 + 150 * generator.nextGaussian() : generator.nextGaussian() }
            data.append(features: row, label: Int32(index % 3))
        }
        return data
    }

    /// A registry in `dir/registry` whose live version 1 is `checkpoint`.
    static func registry(_ dir: String, holding checkpoint: Checkpoint) throws -> String {
        let directory = dir + "/registry"
        let registry = try ModelRegistry(configuration: RegistryConfiguration(directory: directory))
        _ = try registry.register(candidate: VersionCandidate(checkpoint: checkpoint))
        _ = try registry.promote(1)
        return directory
    }

    @Test func modelsExportWritesTheONNXModelOfTheVersionWithTheFittedStandardiserAndPredictAgrees() throws {
        let dir = CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let train = Self.csv(count: 60, seed: 1), heldOut = Self.csv(count: 20, seed: 2)
        try CSVLoader.render(train).write(toFile: dir + "/train.csv", atomically: true, encoding: .utf8)
        try CSVLoader.render(heldOut).write(toFile: dir + "/held-out.csv", atomically: true, encoding: .utf8)
        let checkpoint = try Checkpoint.fresh(spec: try ModelSpec.mlp(input: 4, hidden: [8], outputs: 3), seed: 3)
        _ = try CheckpointStore.save(checkpoint, to: dir + "/model.ckpt")
        let registry = try Self.registry(dir, holding: checkpoint)
        let out = dir + "/model.onnx"
        let export = ["models", "export", "live", "--registry", registry, "--format", "onnx", "--out", out]
        let preprocessing = ["--fit-data", dir + "/train.csv", "--feature-names", "a,pressure,c,d"]

        let written = try CLIProcess.run(export + preprocessing)
        #expect(written.status == 0, "\(written.stderr)")
        #expect(written.stdout.hasPrefix("exported version 1 as ONNX (MLP 4-8-3, standardizer folded in, outputs logits, probabilities; "), "\(written.stdout)")
        let standardizer = Standardizer(fitting: try CSVLoader.load(path: dir + "/train.csv"))
        let expected = try ONNXModel(
            exporting: checkpoint, standardizer: standardizer,
            options: ONNXExportOptions(modelVersion: 1, featureNames: ["a", "pressure", "c", "d"]))
        #expect(try ONNXModel(serializedBytes: [UInt8](Data(contentsOf: URL(fileURLWithPath: out)))) == expected)

        let again = try CLIProcess.run(export)
        #expect(again.status != 0 && again.stderr.contains("--out \(out): \(out): already exists"), "\(again.stderr)")
        let checkpointFormat = try CLIProcess.run(["models", "export", "1", "--registry", registry, "--out", dir + "/x", "--fit-data", dir + "/train.csv"])
        #expect(checkpointFormat.status != 0 && checkpointFormat.stderr.contains("apply to --format onnx only"), "\(checkpointFormat.stderr)")
        try "1,2,0\n3,4,1\n".write(toFile: dir + "/narrow.csv", atomically: true, encoding: .utf8)
        let narrow = try CLIProcess.run(export + ["--force", "--fit-data", dir + "/narrow.csv"])
        #expect(narrow.status != 0 && narrow.stderr.contains("--fit-data \(dir)/narrow.csv: 2 features per row, the model takes 4"), "\(narrow.stderr)")

        let predicted = try CLIProcess.run(["predict", "--checkpoint", dir + "/model.ckpt", "--data", dir + "/held-out.csv", "--fit-data", dir + "/train.csv"])
        #expect(predicted.status == 0, "\(predicted.stderr)")
        let lines = predicted.stdout.split(separator: "\n")
        #expect(lines.first == "row,class,p0,p1,p2" && lines.count == heldOut.count + 1, "\(predicted.stdout)")
        let reference = try ModelOutputs(model: try checkpoint.model(), standardizer: standardizer, features: heldOut)
        for (row, line) in lines.dropFirst().enumerated() {
            let fields = line.split(separator: ",")
            #expect(Int(fields[1]) == reference.classes[row])
            #expect(fields.dropFirst(2).map { Float(String($0))! } == Array(reference.probabilities![(row * 3)..<(row * 3 + 3)]))
        }
    }

    @Test func edgeExportWritesTheHeldModelAndSaysWhenThereIsNone() throws {
        let dir = CLIProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = try CSVImportProcessTests.config(dir)
        let out = dir + "/held.onnx"
        let none = try Self.edge(["export", "--format", "onnx", "--config", config, out])
        #expect(none.status != 0 && none.stderr.contains("no model to export: \(dir)/state/edge.ckpt does not exist"), "\(none.stderr)")

        var checkpoint = try Checkpoint.fresh(spec: try ModelSpec.mlp(input: 2, hidden: [5], outputs: 3, activation: .tanh), seed: 4)
        checkpoint.metadata["model.version"] = "3"
        try FileManager.default.createDirectory(atPath: dir + "/state", withIntermediateDirectories: true)
        _ = try CheckpointStore.save(checkpoint, to: dir + "/state/edge.ckpt")
        let written = try Self.edge(["export", "--format", "onnx", "--config", config, out])
        #expect(written.status == 0, "\(written.stderr)")
        #expect(written.stdout.contains("exported the held model (version 3) as ONNX (MLP 2-5-3, no preprocessing, outputs logits, probabilities; "), "\(written.stdout)")
        let expected = try ONNXModel(exporting: checkpoint, standardizer: nil, options: ONNXExportOptions(modelVersion: 3))
        #expect(try ONNXModel(serializedBytes: [UInt8](Data(contentsOf: URL(fileURLWithPath: out)))) == expected)

        let format = try Self.edge(["export", "--format", "tflite", "--config", config, out])
        #expect(format.status != 0 && format.stderr.contains("tflite"), "\(format.stderr)")
    }

    /// `tributary-edge ARGUMENTS`, to its end.
    static func edge(_ arguments: [String]) throws -> CLIProcess.Output {
        let (process, out, err) = try EdgeProcessTests.launch(arguments)
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLIProcess.Output(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }
}
