/// Accuracy, loss and stability of a model on a data set, evaluated in chunks.
public enum Evaluation {
    /// Rows per forward pass: enough for BLAS to run at speed, few enough that the buffers stay
    /// small (0.6 MB for a 64-1024-32-10 model; 512 rows with training buffers took 8.8 MB).
    static let chunk = 128

    /// Loss (mean per example) and accuracy of `model` on `data`; for a regression model also
    /// the mean absolute error and the root mean squared error against the targets.
    public struct Result: Sendable, Codable, Equatable {
        public var loss: Double
        public var accuracy: Double
        public var count: Int
        /// Mean |prediction − target| (regression models only).
        public var meanAbsoluteError: Double? = nil
        /// √(mean (prediction − target)²) (regression models only).
        public var rootMeanSquaredError: Double? = nil
    }

    public static func evaluate(_ model: Sequential, on data: Dataset, classMask: [Bool]? = nil) -> Result {
        guard !data.isEmpty else { return Result(loss: 0, accuracy: 0, count: 0) }
        let chunk = min(Self.chunk, data.count)
        let workspace = Workspace(spec: model.spec, capacity: chunk, forwardOnly: true)
        var total = BatchLoss(total: 0, correct: 0)
        for start in stride(from: 0, to: data.count, by: chunk) {
            workspace.load(data, indices: start..<min(start + chunk, data.count))
            model.forward(workspace)
            let batch = model.spec.loss.evaluate(workspace, classMask: classMask, gradientScale: nil)
            total.total += batch.total
            total.correct += batch.correct
            total.absoluteError += batch.absoluteError
            total.squaredError += batch.squaredError
        }
        let n = Double(data.count)
        var result = Result(loss: total.total / n, accuracy: Double(total.correct) / n, count: data.count)
        if model.spec.isRegression {
            result.meanAbsoluteError = total.absoluteError / n
            result.rootMeanSquaredError = (total.squaredError / n).squareRoot()
        }
        return result
    }

    public static func accuracy(_ model: Sequential, on data: Dataset, classMask: [Bool]? = nil) -> Double {
        evaluate(model, on: data, classMask: classMask).accuracy
    }

    /// The predicted class of every example.
    public static func predictions(_ model: Sequential, on data: Dataset, classMask: [Bool]? = nil) -> [Int] {
        guard !data.isEmpty else { return [] }
        let chunk = min(Self.chunk, data.count)
        let workspace = Workspace(spec: model.spec, capacity: chunk, forwardOnly: true)
        var result: [Int] = []
        result.reserveCapacity(data.count)
        for start in stride(from: 0, to: data.count, by: chunk) {
            workspace.load(data, indices: start..<min(start + chunk, data.count))
            model.forward(workspace)
            result += model.spec.loss.predictions(workspace, classMask: classMask)
        }
        return result
    }

    /// The root mean squared error of always predicting the mean of `data`'s targets (its
    /// standard deviation): the best any constant predictor does, the floor a regression model
    /// must beat.
    public static func constantPredictorRMSE(on data: Dataset) -> Double {
        guard !data.isEmpty else { return 0 }
        let values = (0..<data.count).map { Double(data.target($0)) }
        let mean = values.reduce(0, +) / Double(values.count)
        return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
    }

    /// The accuracy of always predicting `data`'s most frequent label: the best any constant
    /// predictor does, the chance level a classifier must beat.
    public static func majorityRate(on data: Dataset) -> Double {
        guard !data.isEmpty else { return 0 }
        let counts = data.labels.reduce(into: [Int32: Int]()) { $0[$1, default: 0] += 1 }
        return Double(counts.values.max() ?? 0) / Double(data.count)
    }

    /// Stability: the fraction of examples whose predicted class is the same under `parent`
    /// and `candidate` (1 when nothing changed).
    public static func stability(parent: Sequential, candidate: Sequential, on data: Dataset) -> Double {
        guard !data.isEmpty else { return 1 }
        let before = predictions(parent, on: data), after = predictions(candidate, on: data)
        return Double(zip(before, after).filter { $0 == $1 }.count) / Double(data.count)
    }
}
