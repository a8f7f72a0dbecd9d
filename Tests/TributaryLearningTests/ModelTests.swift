import Testing
import TributaryLearning

@Suite struct ModelTests {
    @Test(arguments: [
        (Activation.tanh, Loss.softmaxCrossEntropy), (.sigmoid, .softmaxCrossEntropy), (.relu, .softmaxCrossEntropy),
        (.tanh, .binaryCrossEntropy), (.tanh, .meanSquaredError), (.identity, .softmaxCrossEntropy),
    ])
    func backwardMatchesFiniteDifferences(activation: Activation, loss: Loss) throws {
        let data = Fixtures.blobs(count: 12, seed: 5)
        var generator = SeededGenerator(seed: 11)
        var model = try Sequential(spec: Fixtures.spec(hidden: [7, 5], activation: activation, loss: loss), generator: &generator)
        let analytic = Fixtures.gradient(model, data)
        let base = model.parameters
        var checked = 0
        for j in stride(from: 0, to: base.count, by: 3) {
            let h: Float = 1e-2
            var plus = base, minus = base
            plus[j] += h
            minus[j] -= h
            model.update(parameters: plus)
            let up = Fixtures.loss(model, data)
            model.update(parameters: minus)
            let down = Fixtures.loss(model, data)
            let numeric = (up - down) / Double(2 * h)
            #expect(abs(numeric - Double(analytic[j])) < 2e-3 + 0.05 * abs(numeric), "parameter \(j): numeric \(numeric), analytic \(analytic[j])")
            checked += 1
        }
        #expect(checked > 20)
    }

    @Test func squaredPerExampleGradientsEqualOneExampleAtATime() throws {
        let data = Fixtures.blobs(count: 9, seed: 2)
        var generator = SeededGenerator(seed: 4)
        let model = try Sequential(spec: Fixtures.spec(hidden: [5]), generator: &generator)
        var expected = [Float](repeating: 0, count: model.parameters.count)
        for n in 0..<data.count {
            let g = Fixtures.gradient(model, data.subset([n]))
            for j in expected.indices { expected[j] += g[j] * g[j] / Float(data.count) }
        }
        let fisher = FisherEstimator.empirical.estimate(model: model, data: data)
        for j in expected.indices { #expect(abs(fisher[j] - expected[j]) < 1e-5 + 1e-3 * expected[j]) }
        let perBatch = FisherEstimator.perBatch(batchSize: 9).estimate(model: model, data: data)
        let full = Fixtures.gradient(model, data)
        for j in full.indices { #expect(abs(perBatch[j] - full[j] * full[j]) < 1e-6 + 1e-3 * perBatch[j]) }
    }

    @Test func logitMaskingExcludesClassesFromLossGradientAndPrediction() throws {
        let data = Fixtures.blobs(count: 20, classes: 2, seed: 8)
        var generator = SeededGenerator(seed: 1)
        let model = try Sequential(spec: Fixtures.spec(classes: 4), generator: &generator)
        let mask = [true, true, false, false]
        let workspace = Workspace(spec: model.spec, capacity: data.count)
        workspace.load(data, indices: 0..<data.count)
        model.forward(workspace)
        _ = model.spec.loss.evaluate(workspace, classMask: mask, gradientScale: 1)
        let predictions = model.spec.loss.predictions(workspace, classMask: mask)
        #expect(predictions.allSatisfy { $0 < 2 })
        let outputGradient = Fixtures.gradient(model, data, classMask: mask)
        let bias = model.layout["dense2.bias"]!.range
        #expect(outputGradient[bias].suffix(2).allSatisfy { $0 == 0 })
        #expect(outputGradient[bias].prefix(2).contains { $0 != 0 })
    }

    @Test func seededInitialisationIsReproducibleAndNamed() throws {
        var a = SeededGenerator(seed: 5), b = SeededGenerator(seed: 5)
        let spec = try ModelSpec.mlp(input: 64, hidden: [64], outputs: 10)
        let first = try Sequential(spec: spec, generator: &a), second = try Sequential(spec: spec, generator: &b)
        #expect(first == second)
        #expect(first.layout.names == ["dense1.weight", "dense1.bias", "dense2.weight", "dense2.bias"])
        #expect(first.layout["dense1.weight"]?.shape == [64, 64])
        #expect(first.parameters.count == 64 * 64 + 64 + 10 * 64 + 10)
        #expect(first.parameters.allSatisfy { abs($0) <= 1 / 8 })
    }

    @Test func invalidSpecsAreRejectedWithTheValue() {
        #expect(throws: LearningError.self) { try ModelSpec.mlp(input: 0, hidden: [4], outputs: 2) }
        do {
            _ = try ModelSpec(inputSize: 4, layers: [.init(units: 3, activation: .relu)], loss: .softmaxCrossEntropy)
            Issue.record("a softmax loss over ReLU outputs was accepted")
        } catch let error as LearningError {
            #expect(error.code == .invalidModelSpec)
            #expect(error.reason.contains("relu"))
        } catch { Issue.record("unexpected \(error)") }
    }
}
