import Testing
import TributaryLearning
import TributaryModelWire
import TributaryWire

/// The learning layer's flat buffer is what the wire encodes and what it decodes into: no
/// per-tensor arrays between training and frames, either way.
@Suite struct LearningWireTests {
    static func address(_ values: [Float]) -> UnsafePointer<Float>? { values.withUnsafeBufferPointer(\.baseAddress) }

    let spec = try! ModelSpec.mlp(input: 4, hidden: [8], outputs: 3)

    @Test func aFlatVectorGoesToAFrameAndComesBackAsOneBuffer() throws {
        let layout = spec.parameterLayout
        var generator = SeededGenerator(seed: 5)
        let values = (0..<layout.totalCount).map { _ in Float.random(in: -1...1, using: &generator) }
        let set = try LearningWire.parameterSet(values, layout: layout)
        #expect(Self.address(set.scalars) == Self.address(values))
        let frame = try FrameCodec.encode(.update(Update(roundID: 1, baseModelVersion: 1, numExamples: 5, delta: set)))
        guard case .update(let update) = try FrameCodec.decode(frame) else {
            Issue.record("not an Update")
            return
        }
        let flat = try LearningWire.flatten(update.delta, layout: layout, field: "Update.delta")
        #expect(flat == values)
        #expect(Self.address(flat) == Self.address(update.delta.scalars))
        #expect(try LearningWire.inferMLP(update.delta) == spec)
    }

    @Test func aSetNotInTheModelsLayoutIsRefusedNamingTheTensor() throws {
        let layout = spec.parameterLayout
        let values = [Float](repeating: 0.5, count: layout.totalCount)
        var shapes = layout.entries.map { ($0.name, $0.shape) }
        shapes[0].1 = [4, 8]
        let transposed = try ParameterSet(scalars: values, shapes: shapes)
        #expect {
            try LearningWire.flatten(transposed, layout: layout, field: "Update.delta")
        } throws: {
            ($0 as? LearningError)?.reason == "Update.delta tensor dense1.weight[4, 8] does not match the model's dense1.weight[8, 4]"
        }
        let short = try ParameterSet(scalars: Array(values.prefix(40)), shapes: Array(layout.entries.prefix(2).map { ($0.name, $0.shape) }))
        #expect {
            try LearningWire.flatten(short, layout: layout, field: "Update.delta")
        } throws: {
            ($0 as? LearningError)?.reason == "Update.delta has 2 tensors; the model has 4 (dense1.weight, dense1.bias, dense2.weight, dense2.bias)"
        }
    }
}
