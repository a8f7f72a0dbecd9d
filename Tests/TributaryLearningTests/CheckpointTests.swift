import Foundation
import Testing
import TributaryLearning
import TributarySystem

@Suite struct CheckpointTests {
    func trained() throws -> Checkpoint {
        let plan = TrainingPlan(epochs: 2, batchSize: 8, ewc: EWCConfiguration(lambda: 5, mode: .separate))
        let fresh = try Checkpoint.fresh(
            spec: Fixtures.spec(), seed: 2, optimizer: .adam(Adam(learningRate: 0.01)),
            replay: ReplayConfiguration(capacity: 16, policy: .classBalanced), plan: plan)
        let once = try IncrementalJob(plan: plan).run(from: fresh, data: Fixtures.blobs(count: 40, seed: 1)).candidate
        return try IncrementalJob(plan: plan).run(from: once, data: Fixtures.blobs(count: 40, seed: 2)).candidate
    }

    func temporaryDirectory() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func roundTripsEveryPart() throws {
        let checkpoint = try trained()
        #expect(checkpoint.ewc.terms.count == 2)
        #expect(checkpoint.replay.count == 16)
        #expect(checkpoint.optimizerState.slots.keys.sorted() == ["m", "v"])
        let decoded = try CheckpointCodec.decode(try CheckpointCodec.encode(checkpoint))
        #expect(decoded == checkpoint)
        #expect(decoded.lineage.generation == 2)
        #expect(decoded.lineage.examplesSeen == 80)
        #expect(try CheckpointCodec.encode(decoded) == CheckpointCodec.encode(checkpoint))
    }

    @Test func lineageNamesTheParentDigest() throws {
        let plan = TrainingPlan(epochs: 1, batchSize: 8)
        let parent = try Checkpoint.fresh(spec: Fixtures.spec(), seed: 2, plan: plan)
        let child = try IncrementalJob(plan: plan).run(from: parent, data: Fixtures.blobs(count: 20)).candidate
        #expect(child.lineage.parentDigest == (try CheckpointCodec.digest(of: parent)))
        #expect(parent.lineage.parentDigest == nil)
    }

    @Test func anyDamagedByteIsDetected() throws {
        let bytes = try CheckpointCodec.encode(try trained())
        var generator = SeededGenerator(seed: 1)
        for _ in 0..<200 {
            var damaged = bytes
            let position = generator.nextInt(below: bytes.count)
            damaged[position] ^= UInt8(1 + generator.nextInt(below: 255))
            #expect(throws: LearningError.self) { try CheckpointCodec.decode(damaged) }
        }
        for length in [0, 10, 40, bytes.count / 2, bytes.count - 1] {
            do {
                _ = try CheckpointCodec.decode(Array(bytes.prefix(length)))
                Issue.record("a checkpoint truncated to \(length) bytes was accepted")
            } catch let error as LearningError {
                #expect(error.code == .corruptCheckpoint)
            }
        }
    }

    @Test func loadErrorsNameTheFileAndTheProblem() throws {
        let directory = temporaryDirectory()
        let path = directory + "/model.ckpt"
        try CheckpointStore.save(try trained(), to: path)
        var bytes = try AtomicFile.read(path)
        bytes[bytes.count / 2] ^= 0xFF
        try AtomicFile.write(bytes, to: path)
        do {
            _ = try CheckpointStore.load(from: path)
            Issue.record("damaged file loaded")
        } catch let error as LearningError {
            #expect(error.code == .corruptCheckpoint)
            #expect(error.reason.contains(path))
            #expect(error.reason.contains("checksum mismatch"))
        }
        try AtomicFile.write(Array("not a checkpoint at all, just some text".utf8), to: path)
        #expect(throws: LearningError.self) { try CheckpointStore.load(from: path) }
        do {
            _ = try CheckpointStore.load(from: directory + "/missing.ckpt")
        } catch let error as LearningError {
            #expect(error.code == .io)
            #expect(error.reason.contains("missing.ckpt"))
        }
    }

    @Test func savingReplacesAtomicallyAndLeavesNoTemporaryFile() throws {
        let directory = temporaryDirectory()
        let path = directory + "/model.ckpt"
        let first = try Checkpoint.fresh(spec: Fixtures.spec(), seed: 1)
        let firstDigest = try CheckpointStore.save(first, to: path)
        let second = try trained()
        let secondDigest = try CheckpointStore.save(second, to: path)
        #expect(firstDigest != secondDigest)
        let loaded = try CheckpointStore.load(from: path)
        #expect(loaded.digest == secondDigest)
        #expect(loaded.checkpoint == second)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["model.ckpt"])
    }

    @Test func savingRemovesTemporariesOfDeadWritersOnly() throws {
        let directory = temporaryDirectory()
        let path = directory + "/model.ckpt"
        // A pid that has exited: a child process we waited for.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        let dead = "\(path).tmp-\(child.processIdentifier)-7", live = "\(path).tmp-1-7", other = "\(directory)/other.ckpt.tmp-\(child.processIdentifier)-7"
        for file in [dead, live, other] { try AtomicFile.write(Array("partial".utf8), to: file) }
        try CheckpointStore.save(try Checkpoint.fresh(spec: Fixtures.spec(), seed: 1), to: path)
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: directory))
        #expect(!left.contains("model.ckpt.tmp-\(child.processIdentifier)-7"))
        #expect(left.contains("model.ckpt.tmp-1-7"))  // pid 1 runs: a live writer's file stays
        #expect(left.contains("other.ckpt.tmp-\(child.processIdentifier)-7"))  // another file's temporaries are not ours
        #expect(left.contains("model.ckpt"))
    }

    @Test func widenedOutputKeepsOldClassesUntouched() throws {
        let data = Fixtures.blobs(count: 60, seed: 3)
        let plan = TrainingPlan(epochs: 2, batchSize: 8, ewc: EWCConfiguration(lambda: 1))
        let trained = try IncrementalJob(plan: plan).run(from: try Checkpoint.fresh(spec: Fixtures.spec(), seed: 1, plan: plan), data: data).candidate
        let wider = try trained.widenedOutput(to: 5)
        #expect(wider.spec.outputSize == 5)
        let oldModel = try trained.model(), newModel = try wider.model()
        for name in ["dense1.weight", "dense1.bias"] {
            #expect(oldModel.parameterVector.tensor(named: name) == newModel.parameterVector.tensor(named: name))
        }
        let oldHead = oldModel.parameterVector.tensor(named: "dense2.weight")!.scalars
        #expect(Array(newModel.parameterVector.tensor(named: "dense2.weight")!.scalars.prefix(oldHead.count)) == oldHead)
        #expect(wider.ewc.terms[0].fisher.count == newModel.parameters.count)
        // Restricted to the old classes, predictions are the same.
        let mask = [true, true, true, false, false]
        #expect(Evaluation.predictions(oldModel, on: data) == Evaluation.predictions(newModel, on: data, classMask: mask))
        #expect(throws: LearningError.self) { try trained.widenedOutput(to: 3) }
    }
}
