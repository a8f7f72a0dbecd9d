import Testing
import TributaryEdge
import TributaryLearning
import TributaryModelWire
import TributaryWire

/// The edge applies the model's preprocessing (issue 12, item 5): its store keeps raw records,
/// the job sees the model's input; a release with other preprocessing empties the replay buffer.
@Suite struct EdgePreprocessingTests {
    let spec = try! ModelSpec.mlp(input: 3, hidden: [6], outputs: 3)

    /// Raw records: the second feature on a scale of ~1,000.
    func raw(count: Int = 60, seed: UInt64 = 8) -> Dataset {
        var generator = SeededGenerator(seed: seed)
        var data = Dataset(featureCount: 3)
        for index in 0..<count {
            let label = Int32(index % 3)
            data.append(features: [Float(label) + generator.nextGaussian(), 1000 + 60 * Float(label) + 25 * generator.nextGaussian(), generator.nextGaussian()],
                        label: label)
        }
        return data
    }

    func offer(preprocessing: Preprocessing) throws -> RoundOffer {
        let global = try Checkpoint.fresh(spec: spec, seed: 5)
        return RoundOffer(
            roundID: 1, baseModelVersion: 1, model: .full(try LearningWire.parameterSet(global.parameters, layout: spec.parameterLayout)),
            plan: TrainingPlanMessage(epochs: 2, batchSize: 8, learningRate: 0.1, ewcLambda: 1, deadlineUnixMilliseconds: 1),
            architecture: LearningWire.architecture(spec), preprocessing: LearningWire.preprocessing(preprocessing))
    }

    @Test func theJobTrainsOnStandardisedInputsFromRawRecords() throws {
        let raw = raw()
        let preprocessing = try Preprocessing.fitted(to: raw, featureNames: ["motion", "pressure", "temperature"])
        let replay = ReplayConfiguration(capacity: 100)
        let fromRaw = try EdgeTrainer(local: nil, data: raw, replay: replay).answer(try offer(preprocessing: preprocessing))
        let fromStandardised = try EdgeTrainer(local: nil, data: try preprocessing.apply(raw), replay: replay)
            .answer(try offer(preprocessing: .identity(featureCount: 3)))
        #expect(fromRaw.update.delta == fromStandardised.update.delta)
        #expect(fromRaw.update.fisher == fromStandardised.update.fisher)
        // The kept checkpoint carries the preprocessing; its replay buffer holds what the job saw.
        #expect(fromRaw.keep.preprocessing == preprocessing)
        #expect(fromRaw.keep.replay.examples == fromStandardised.keep.replay.examples)
        #expect(fromRaw.keep.replay.examples.features.allSatisfy { abs($0) < 10 })
    }

    @Test func aWindowOfAnotherWidthIsRefusedNamingBoth() throws {
        var narrow = Dataset(featureCount: 2)
        narrow.append(features: [1, 2], label: 0)
        let preprocessing = try Preprocessing.fitted(to: raw(), featureNames: ["motion", "pressure", "temperature"])
        let error = try #require(throws: LearningError.self) {
            _ = try EdgeTrainer(local: nil, data: narrow).answer(try offer(preprocessing: preprocessing))
        }
        #expect(error.reason == "the round's training window: 2 features; the model expects 3 (motion,pressure,temperature)")
    }

    @Test func aReleaseWithOtherPreprocessingEmptiesTheReplayBuffer() throws {
        let parameters = try LearningWire.parameterSet(try Checkpoint.fresh(spec: spec, seed: 5).parameters, layout: spec.parameterLayout)
        let fitted = try Preprocessing.fitted(to: raw())
        func adopt(_ version: UInt64, _ preprocessing: Preprocessing, held: Checkpoint?) throws -> Checkpoint {
            try #require(try ModelAdoption.checkpoint(
                version: version, payload: .full(parameters), architecture: LearningWire.architecture(spec),
                preprocessing: LearningWire.preprocessing(preprocessing), held: held, seed: 1, replay: ReplayConfiguration(capacity: 10),
                field: "ModelRelease.model"))
        }
        var v1 = try adopt(1, .identity(featureCount: 3), held: nil)
        #expect(v1.preprocessing.isIdentity)
        var generator = SeededGenerator(seed: 2)
        v1.replay.insert(raw(count: 5), generator: &generator)
        let same = try adopt(2, .identity(featureCount: 3), held: v1)
        #expect(same.replay.count == 5)
        let standardised = try adopt(3, fitted, held: same)
        #expect(standardised.preprocessing == fitted)
        #expect(standardised.replay.count == 0 && standardised.replay.configuration.capacity == 10)
    }
}
