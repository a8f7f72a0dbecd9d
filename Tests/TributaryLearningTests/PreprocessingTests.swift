import Foundation
import Testing
import TributaryLearning

/// A model that carries its preprocessing (issue 12, item 5): the schema and standardiser, how
/// records are refused, and the checkpoint format that stores them.
@Suite struct PreprocessingTests {
    /// Three features, the second on a scale of ~1,000.
    static func rawScale(count: Int = 200, seed: UInt64 = 4) -> Dataset {
        var generator = SeededGenerator(seed: seed)
        var data = Dataset(featureCount: 3)
        for index in 0..<count {
            let label = Int32(index % 3)
            data.append(features: [generator.nextGaussian(), 1000 + 60 * Float(label) + 25 * generator.nextGaussian(), 2 * generator.nextGaussian()],
                        label: label)
        }
        return data
    }

    static let names = ["motion", "pressure", "temperature"]

    @Test func fittedStandardiserGivesZeroMeanAndUnitStd() throws {
        let raw = Self.rawScale()
        let preprocessing = try Preprocessing.fitted(to: raw, featureNames: Self.names)
        let standardised = try preprocessing.apply(raw)
        let stats = Standardizer(fitting: standardised)
        #expect(stats.mean.allSatisfy { abs($0) < 1e-3 }, "\(stats.mean)")
        #expect(stats.std.allSatisfy { abs($0 - 1) < 1e-3 }, "\(stats.std)")
        // One row and the whole data set are transformed alike (serving calls the row form).
        #expect(try preprocessing.apply(row: raw.row(7)) == Array(standardised.row(7)))
        #expect(try Preprocessing.identity(featureCount: 3).apply(raw) == raw)
        #expect(Preprocessing.identity(featureCount: 3).isIdentity && !preprocessing.isIdentity)
    }

    @Test func aRecordOfAnotherShapeIsRefusedNamingBoth() throws {
        let preprocessing = try Preprocessing.fitted(to: Self.rawScale(), featureNames: Self.names)
        let count = try #require(throws: LearningError.self) { try preprocessing.check(featureCount: 4, source: "record 12") }
        #expect(count.code == .shapeMismatch)
        #expect(count.reason == "record 12: 4 features; the model expects 3 (motion,pressure,temperature)")
        let names = try #require(throws: LearningError.self) {
            try preprocessing.check(featureCount: 3, names: ["motion", "temperature", "pressure"], source: "sensors.csv")
        }
        #expect(names.reason == "sensors.csv: features named motion,temperature,pressure; the model expects motion,pressure,temperature")
        let row = try #require(throws: LearningError.self) { _ = try preprocessing.apply(row: [1, 2]) }
        #expect(row.reason == "record: 2 features; the model expects 3 (motion,pressure,temperature)")
        // Unnamed records are checked by count only; an unnamed model accepts any names.
        try preprocessing.check(featureCount: 3, source: "record")
        try Preprocessing.identity(featureCount: 3).check(featureCount: 3, names: ["a", "b", "c"], source: "x.csv")
    }

    @Test func inconsistentPartsAreRefused() throws {
        let refusals: [(String, () throws -> Preprocessing)] = [
            ("preprocessing: 2 feature names for 3 features", { try Preprocessing(featureCount: 3, featureNames: ["a", "b"]) }),
            ("preprocessing: feature names [\"a\", \"a\", \"b\"] are not unique", { try Preprocessing(featureCount: 3, featureNames: ["a", "a", "b"]) }),
            ("preprocessing: standardiser has 2 means and 2 stds for 3 features",
             { try Preprocessing(featureCount: 3, standardizer: Standardizer(mean: [0, 0], std: [1, 1])) }),
            ("preprocessing: std of feature 1 is 0.0; must be finite and > 0",
             { try Preprocessing(featureCount: 2, standardizer: Standardizer(mean: [0, 0], std: [1, 0])) }),
            ("preprocessing: feature count is 0; must be > 0", { try Preprocessing(featureCount: 0) }),
        ]
        for (reason, make) in refusals {
            let error = try #require(throws: LearningError.self) { _ = try make() }
            #expect(error.reason == reason)
        }
        #expect(throws: LearningError.self) { _ = try Preprocessing.fitted(to: Dataset(featureCount: 3)) }
    }

    @Test func checkpointsCarryItAndOldOnesReadAsIdentity() throws {
        let spec = try ModelSpec.mlp(input: 3, hidden: [8], outputs: 3)
        let preprocessing = try Preprocessing.fitted(to: Self.rawScale(), featureNames: Self.names)
        let fitted = try Checkpoint.fresh(spec: spec, seed: 5, preprocessing: preprocessing)
        let bytes = try CheckpointCodec.encode(fitted)
        #expect(bytes[8..<12] == [2, 0, 0, 0])
        #expect(try CheckpointCodec.decode(bytes) == fitted)
        #expect(try CheckpointCodec.decode(bytes).preprocessing == preprocessing)

        // Without preprocessing the file is format version 1, as every earlier build wrote it.
        let plain = try Checkpoint.fresh(spec: spec, seed: 5)
        let old = try CheckpointCodec.encode(plain)
        #expect(old[8..<12] == [1, 0, 0, 0])
        #expect(!String(decoding: old, as: UTF8.self).contains("preprocessing"))
        #expect(try CheckpointCodec.decode(old).preprocessing == .identity(featureCount: 3))
        // The two differ only in what the header says and the digest that covers it.
        #expect(try CheckpointCodec.digest(of: plain) != CheckpointCodec.digest(of: fitted))

        var newer = old
        newer[8] = 3
        let error = try #require(throws: LearningError.self) { _ = try CheckpointCodec.decode(newer) }
        #expect(error.code == .unsupportedCheckpointVersion && error.reason == "checkpoint format version 3; this build reads versions 1 to 2")
    }

    @Test func aCheckpointRefusesPreprocessingForAnotherWidth() throws {
        let spec = try ModelSpec.mlp(input: 4, hidden: [8], outputs: 3)
        let error = try #require(throws: LearningError.self) {
            _ = try Checkpoint.fresh(spec: spec, seed: 1, preprocessing: try Preprocessing.fitted(to: Self.rawScale()))
        }
        #expect(error.reason == "checkpoint: preprocessing is for 3 features, the model takes 4")
    }

    @Test func featureNamesComeFromTheHeaderWithoutTheLabel() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-names-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "activity,motion,\"pressure\",temperature\r\n1,0.5,1003,21\r\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try CSVLoader.featureNames(path: path, options: .init(label: .named("activity"))) == Self.names)
        #expect(try CSVLoader.featureNames(path: path, options: .init(label: .index(0))) == Self.names)
        try "0.5,1003,21,1\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try CSVLoader.featureNames(path: path) == nil)
    }
}
