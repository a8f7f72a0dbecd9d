import Testing
import TributaryEdge
import TributaryLearning
import TributaryModelWire
import TributaryWire

@Suite struct ModelAdoptionTests {
    let spec = try! ModelSpec.mlp(input: 3, hidden: [4], outputs: 2)

    func parameters(_ value: Float) throws -> ParameterSet {
        try LearningWire.parameterSet([Float](repeating: value, count: spec.parameterLayout.totalCount), layout: spec.parameterLayout)
    }

    func adopt(_ version: UInt64, _ payload: ModelPayload, held: Checkpoint?) throws -> Checkpoint? {
        try ModelAdoption.checkpoint(version: version, payload: payload, architecture: LearningWire.architecture(spec), held: held,
                                     seed: 1, replay: ReplayConfiguration(capacity: 10), field: "ModelRelease.model")
    }

    @Test func fullPayloadThenDeltaAgainstTheHeldVersion() throws {
        let v2 = try #require(try adopt(2, .full(parameters(0.5)), held: nil))
        #expect(ModelAdoption.version(of: v2) == 2)
        #expect(v2.replay.configuration.capacity == 10)
        let v3 = try #require(try adopt(3, .delta(baseVersion: 2, delta: parameters(0.25)), held: v2))
        #expect(ModelAdoption.version(of: v3) == 3)
        #expect(v3.parameters.allSatisfy { $0 == 0.75 })
    }

    @Test func deltaAgainstAVersionNotHeldKeepsWhatItHas() throws {
        let v2 = try #require(try adopt(2, .full(parameters(0.5)), held: nil))
        #expect(try adopt(4, .delta(baseVersion: 3, delta: parameters(0.25)), held: v2) == nil)
        #expect(try adopt(4, .delta(baseVersion: 3, delta: parameters(0.25)), held: nil) == nil)
    }

    @Test func keepsTheEdgesOwnStateAcrossVersions() throws {
        var v2 = try #require(try adopt(2, .full(parameters(0.5)), held: nil))
        var generator = SeededGenerator(seed: 9)
        var replay = v2.replay
        var data = Dataset(featureCount: 3)
        data.append(features: [1, 2, 3], label: 1)
        replay.insert(data, generator: &generator)
        v2.replay = replay
        let v3 = try #require(try adopt(3, .full(parameters(0.1)), held: v2))
        #expect(v3.replay.examples.count == 1)
        #expect(v3.optimizerState == v2.optimizerState)
    }
}
