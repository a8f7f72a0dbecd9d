import Testing
import TributaryLearning
import TributaryModelWire
import TributaryNumerics
import TributaryWire

/// A peer's parameter set (an Update's delta, a release, an offer's EWC state) that does not fit
/// the model is refused as a shape mismatch, naming the tensor: a runtime refusal of what
/// arrived, not a setting of this side's configuration.
@Suite("Parameter sets from the wire")
struct ParameterSetRefusalTests {
    static let layout = ParameterLayout([(name: "dense1.weight", shape: [2, 3]), (name: "dense1.bias", shape: [2])])

    static func code(_ set: ParameterSet) -> LearningError.Code? {
        do {
            _ = try LearningWire.flatten(set, layout: layout, field: "Update.delta")
            return nil
        } catch let error as LearningError {
            return error.code
        } catch {
            return nil
        }
    }

    @Test func aSetThatFitsTheLayoutFlattensInItsOrder() throws {
        let values: [Float] = [1, 2, 3, 4, 5, 6, 7, 8]
        let set = try LearningWire.parameterSet(values, layout: Self.layout)
        #expect(try LearningWire.flatten(set, layout: Self.layout, field: "Update.delta") == values)
    }

    @Test func aMissingTensorIsAShapeMismatch() throws {
        let set = try ParameterSet([NamedTensor(name: "dense1.weight", tensor: try Tensor(validatingShape: [2, 3], scalars: Array(repeating: 0, count: 6)))])
        #expect(Self.code(set) == .shapeMismatch)
    }

    @Test func aTensorOfAnotherShapeIsAShapeMismatchNamingIt() throws {
        let set = try ParameterSet([
            NamedTensor(name: "dense1.weight", tensor: try Tensor(validatingShape: [3, 2], scalars: Array(repeating: 0, count: 6))),
            NamedTensor(name: "dense1.bias", tensor: try Tensor(validatingShape: [2], scalars: [0, 0])),
        ])
        #expect(Self.code(set) == .shapeMismatch)
        #expect(throws: LearningError.self) { try LearningWire.flatten(set, layout: Self.layout, field: "Update.delta") }
        do {
            _ = try LearningWire.flatten(set, layout: Self.layout, field: "Update.delta")
        } catch {
            #expect("\(error)" == "Update.delta tensor dense1.weight[3, 2] does not match the model's dense1.weight[2, 3]")
        }
    }
}
