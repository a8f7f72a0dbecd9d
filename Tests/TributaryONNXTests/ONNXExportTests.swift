import Foundation
import Testing
import TributaryLearning
@testable import TributaryONNX

@Suite struct ONNXExportTests {
    static let specs: [ModelSpec] = [
        try! ModelSpec.mlp(input: 5, hidden: [16, 8], outputs: 3, activation: .relu),
        try! ModelSpec.mlp(input: 5, hidden: [12], outputs: 4, activation: .tanh),
        try! ModelSpec.mlp(input: 5, hidden: [6], outputs: 2, activation: .sigmoid, loss: .binaryCrossEntropy),
        try! ModelSpec.mlp(input: 5, hidden: [7], outputs: 1, activation: .identity, loss: .binaryCrossEntropy),
        try! ModelSpec(inputSize: 5, layers: [.init(units: 9, activation: .relu), .init(units: 1, activation: .identity)], loss: .meanSquaredError),
        try! ModelSpec(inputSize: 5, layers: [.init(units: 9, activation: .tanh), .init(units: 2, activation: .sigmoid)], loss: .meanSquaredError),
    ]

    @Test("the folded graph computes the model's own forward on standardised inputs (within 1e-5)", arguments: specs.indices)
    func foldingIsExact(index: Int) throws {
        let spec = Self.specs[index]
        let train = Fixtures.rawData(count: 96, width: spec.inputSize, seed: 11)
        let standardizer = Standardizer(fitting: train)
        #expect(standardizer.std[1] > 100, "column 1 is on a scale of ~1,000")
        let model = try Fixtures.model(spec, seed: UInt64(index + 3), standardizer: standardizer, data: train)
        let exported = try ONNXModel(exporting: spec, parameters: model.parameters, standardizer: standardizer)

        let heldOut = Fixtures.rawData(count: 64, width: spec.inputSize, seed: 12)
        let expected = try ModelOutputs(model: model, standardizer: standardizer, features: heldOut)
        let outputs = try ReferenceInterpreter(model: exported).run(features: heldOut.features, rows: heldOut.count)

        let final = spec.loss == .meanSquaredError ? ONNXModel.predictionName : ONNXModel.logitsName
        #expect(Set(outputs.keys) == Set(ONNXModel.outputNames(for: spec.loss)))
        let logits = try #require(outputs[final])
        #expect(logits.rows == heldOut.count && logits.columns == spec.outputSize)
        for (got, want) in zip(logits.values, expected.outputs) {
            #expect(abs(got - Double(want)) <= 1e-5 * max(1, abs(Double(want))), "\(final): graph \(got), Tributary \(want)")
        }
        if let probabilities = expected.probabilities {
            let graph = try #require(outputs[ONNXModel.probabilitiesName])
            let worst = zip(graph.values, probabilities).map { abs($0 - Double($1)) }.max() ?? 0
            #expect(worst <= 1e-5, "largest probability difference \(worst)")
        }
    }

    @Test("the encoded file decodes back to the same graph, initializers and metadata")
    func roundTrip() throws {
        let spec = Self.specs[0]
        let data = Fixtures.rawData(count: 40, width: 5, seed: 1)
        let standardizer = Standardizer(fitting: data)
        let model = try Fixtures.model(spec, seed: 5, train: false)
        let options = ONNXExportOptions(modelVersion: 7, featureNames: ["a", "pressure", "c", "d", "e"])
        let exported = try ONNXModel(exporting: spec, parameters: model.parameters, standardizer: standardizer, options: options)
        let bytes = try exported.serializedBytes()
        let decoded = try ONNXModel(serializedBytes: bytes)

        #expect(decoded == exported)
        #expect(decoded.irVersion == 8 && decoded.opsetVersion == 13 && decoded.producerName == "tributary" && decoded.modelVersion == 7)
        #expect(decoded.graph.initializers.map(\.name) == spec.parameterLayout.names)
        #expect(decoded.graph.initializers.map(\.shape) == spec.parameterLayout.entries.map(\.shape))
        #expect(decoded.graph.nodes.map(\.opType) == ["Gemm", "Relu", "Gemm", "Relu", "Gemm", "Softmax"])
        #expect(decoded.graph.nodes.filter { $0.opType == "Gemm" }.allSatisfy { $0.attribute("transB") == .int(1) })
        #expect(decoded.graph.nodes.last?.attribute("axis") == .int(-1))
        #expect(decoded.graph.inputs == [ONNXValueInfo(name: "features", shape: [.symbol("N"), .fixed(5)])])
        #expect(decoded.graph.outputs.map(\.name) == ["logits", "probabilities"])
        #expect(decoded.graph.outputs.allSatisfy { $0.shape == [.symbol("N"), .fixed(3)] })

        #expect(decoded.metadata("tributary.version") == ONNXExportOptions.tributaryVersion)
        #expect(decoded.metadata("tributary.model_version") == "7")
        #expect(decoded.metadata("tributary.feature_names") == #"["a","pressure","c","d","e"]"#)
        let specJSON = try #require(decoded.metadata("tributary.model_spec"))
        #expect(try JSONDecoder().decode(ModelSpec.self, from: Data(specJSON.utf8)) == spec)
        let stored = try #require(decoded.metadata("tributary.standardizer"))
        #expect(try JSONDecoder().decode(Standardizer.self, from: Data(stored.utf8)) == standardizer)

        // Deterministic: the same model gives the same bytes.
        #expect(try exported.serializedBytes() == bytes)
    }

    @Test("without a standardiser the initializers are the parameters, bit for bit")
    func unfoldedWeightsAreTheParameters() throws {
        let spec = Self.specs[1]
        let model = try Fixtures.model(spec, seed: 9, train: false)
        let decoded = try ONNXModel(serializedBytes: try ONNXModel(exporting: spec, parameters: model.parameters, standardizer: nil).serializedBytes())
        let flat = decoded.graph.initializers.flatMap(\.values)
        #expect(flat.map(\.bitPattern) == model.parameters.map(\.bitPattern))
        #expect(decoded.metadata("tributary.standardizer") == nil)
        #expect(decoded.metadata("tributary.preprocessing")?.hasPrefix("none") == true)
    }

    @Test("folding touches only dense1: W' = W / std per column, b' = b − W'·mean")
    func foldingFormula() throws {
        var data = Dataset(featureCount: 2)
        data.append(features: [0, 900], label: 0)
        data.append(features: [2, 1100], label: 1)
        let standardizer = Standardizer(fitting: data)  // mean [1, 1000], std [1, 100]
        let (weight, bias) = StandardizerFolding.fold(weight: [1, 2, 3, 4], bias: [0.5, -1], standardizer: standardizer)
        #expect(weight == [1, 0.02, 3, 0.04])
        #expect(abs(bias[0] - (0.5 - 1 - 20)) < 1e-5 && abs(bias[1] - (-1 - 3 - 40)) < 1e-5)
    }

    @Test("a regression model has one output, 'prediction', after its last activation")
    func regressionOutput() throws {
        let spec = Self.specs[5]
        let model = try Fixtures.model(spec, seed: 4, train: false)
        let exported = try ONNXModel(exporting: spec, parameters: model.parameters, standardizer: nil)
        #expect(exported.graph.outputs.map(\.name) == ["prediction"])
        #expect(exported.graph.nodes.map(\.opType) == ["Gemm", "Tanh", "Gemm", "Sigmoid"])
        #expect(exported.graph.nodes.last?.outputs == ["prediction"])
    }

    @Test("bad input is refused naming what was wrong and its value")
    func refusals() throws {
        let spec = Self.specs[0]
        let parameters = try Fixtures.model(spec, seed: 1, train: false).parameters
        let narrow = Standardizer(fitting: Fixtures.rawData(count: 8, width: 4, seed: 1))
        var zeroStd = Standardizer(fitting: Fixtures.rawData(count: 8, width: 5, seed: 1))
        zeroStd.std[3] = 0
        var broken = parameters
        broken[spec.parameterLayout["dense2.bias"]!.offset + 2] = .nan

        let cases: [(String, () throws -> ONNXModel)] = [
            ("4 means and 4 stds, the model takes 5", { try ONNXModel(exporting: spec, parameters: parameters, standardizer: narrow) }),
            ("std of feature 3 is 0.0", { try ONNXModel(exporting: spec, parameters: parameters, standardizer: zeroStd) }),
            ("parameters: 10 given", { try ONNXModel(exporting: spec, parameters: Array(parameters.prefix(10)), standardizer: nil) }),
            ("dense2.bias[2] is nan", { try ONNXModel(exporting: spec, parameters: broken, standardizer: nil) }),
            ("2 given (a,b), the model takes 5", {
                try ONNXModel(exporting: spec, parameters: parameters, standardizer: nil, options: ONNXExportOptions(featureNames: ["a", "b"]))
            }),
            ("'a' appears twice", {
                try ONNXModel(exporting: spec, parameters: parameters, standardizer: nil, options: ONNXExportOptions(featureNames: ["a", "b", "a", "c", "d"]))
            }),
        ]
        for (reason, export) in cases {
            let error = try #require(throws: ONNXError.self) { try export() }
            #expect(error.code == .unexportable)
            #expect(error.reason.contains(reason), "reason '\(error.reason)' lacks '\(reason)'")
        }
        let error = try #require(throws: ONNXError.self) { try ONNXModel(serializedBytes: [0xFF, 0xFF, 0xFF]) }
        #expect(error.code == .malformedModel)
    }

    @Test("write(to:) refuses an existing file unless told to overwrite")
    func writesAtomically() throws {
        let spec = Self.specs[1]
        let exported = try ONNXModel(exporting: spec, parameters: try Fixtures.model(spec, seed: 2, train: false).parameters, standardizer: nil)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-onnx-\(UUID().uuidString).onnx").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let written = try exported.write(to: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).count == written)
        let error = try #require(throws: ONNXError.self) { try exported.write(to: path) }
        #expect(error.code == .io && error.reason.contains(path))
        try exported.write(to: path, overwrite: true)
        #expect(try ONNXModel(serializedBytes: [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))) == exported)
    }
}
