/// Labelled examples held row-major: `features` is count × featureCount, `labels` is count.
public struct Dataset: Sendable, Equatable {
    public var featureCount: Int
    public var features: [Float]
    public var labels: [Int32]

    public init(featureCount: Int, features: [Float], labels: [Int32]) {
        precondition(featureCount > 0, "Dataset featureCount must be positive, got \(featureCount)")
        precondition(
            features.count == featureCount * labels.count,
            "Dataset: \(labels.count) labels need \(featureCount * labels.count) features, got \(features.count)")
        self.featureCount = featureCount
        self.features = features
        self.labels = labels
    }

    /// An empty data set of the given width.
    public init(featureCount: Int) {
        self.init(featureCount: featureCount, features: [], labels: [])
    }

    public var count: Int { labels.count }
    public var isEmpty: Bool { labels.isEmpty }

    /// The distinct labels, sorted.
    public var classes: [Int32] { Array(Set(labels)).sorted() }

    /// One example's features.
    public func row(_ index: Int) -> ArraySlice<Float> {
        features[(index * featureCount)..<((index + 1) * featureCount)]
    }

    /// The examples at `indices`, in that order.
    public func subset(_ indices: some Sequence<Int>) -> Dataset {
        var result = Dataset(featureCount: featureCount)
        for index in indices { result.append(features: row(index), label: labels[index]) }
        return result
    }

    /// The examples whose label is in `classes`.
    public func filter(classes: Set<Int32>) -> Dataset {
        subset(labels.indices.filter { classes.contains(labels[$0]) })
    }

    public mutating func append(features row: some Collection<Float>, label: Int32) {
        precondition(row.count == featureCount, "append: row has \(row.count) features, expected \(featureCount)")
        features.append(contentsOf: row)
        labels.append(label)
    }

    public mutating func append(contentsOf other: Dataset) {
        precondition(other.featureCount == featureCount, "append: widths \(other.featureCount) and \(featureCount) differ")
        features.append(contentsOf: other.features)
        labels.append(contentsOf: other.labels)
    }

    /// Checks the data fits a model: width, labels within the outputs, finite features.
    public func validate(against spec: ModelSpec) throws {
        guard featureCount == spec.inputSize else {
            throw LearningError(
                .shapeMismatch, "data has \(featureCount) features per example, the model takes \(spec.inputSize)")
        }
        let classCount = spec.loss == .softmaxCrossEntropy || spec.outputSize > 1 ? spec.outputSize : 2
        if let bad = labels.firstIndex(where: { $0 < 0 || Int($0) >= classCount }) {
            throw LearningError(
                .invalidData, "example \(bad): label \(labels[bad]) is outside the model's classes 0..<\(classCount)")
        }
        if let bad = features.firstIndex(where: { !$0.isFinite }) {
            throw LearningError(
                .invalidData,
                "example \(bad / featureCount), feature \(bad % featureCount): value \(features[bad]) is not finite")
        }
    }
}
