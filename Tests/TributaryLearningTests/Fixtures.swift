import TributaryLearning

/// Small seeded data sets and models for the tests.
enum Fixtures {
    /// `count` examples of `width` Gaussian features whose label is the index of the largest of
    /// the first `classes` features: learnable, seeded.
    static func blobs(count: Int, width: Int = 6, classes: Int = 3, seed: UInt64 = 1) -> Dataset {
        var generator = SeededGenerator(seed: seed)
        var data = Dataset(featureCount: width)
        for _ in 0..<count {
            let x = (0..<width).map { _ in generator.nextGaussian() }
            let label = (0..<classes).max { x[$0] < x[$1] }!
            data.append(features: x, label: Int32(label))
        }
        return data
    }

    static func spec(width: Int = 6, hidden: [Int] = [8], classes: Int = 3, activation: Activation = .relu, loss: Loss = .softmaxCrossEntropy) -> ModelSpec {
        try! ModelSpec.mlp(input: width, hidden: hidden, outputs: classes, activation: activation, loss: loss)
    }

    /// Mean loss of `model` on `data`.
    static func loss(_ model: Sequential, _ data: Dataset, classMask: [Bool]? = nil) -> Double {
        Evaluation.evaluate(model, on: data, classMask: classMask).loss
    }

    /// The analytic gradient of the mean loss.
    static func gradient(_ model: Sequential, _ data: Dataset, classMask: [Bool]? = nil) -> [Float] {
        let workspace = Workspace(spec: model.spec, capacity: data.count)
        workspace.load(data, indices: 0..<data.count)
        model.forward(workspace)
        _ = model.spec.loss.evaluate(workspace, classMask: classMask, gradientScale: 1 / Float(data.count))
        var gradient = [Float](repeating: 0, count: model.parameters.count)
        gradient.withUnsafeMutableBufferPointer { model.backward(workspace, into: $0) }
        return gradient
    }
}
