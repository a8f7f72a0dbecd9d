/// Labelled examples held row-major: `features` is count × featureCount, `labels` is count.
///
/// A regression data set also holds `targets` (one real value per example, the value a
/// one-output mean-squared-error model is trained towards); its `labels` are then all 0. A data
/// set without targets is a classification set, and a one-output model regresses onto the label's
/// value as before.
public struct Dataset: Sendable, Equatable {
    public var featureCount: Int
    public var features: [Float]
    public var labels: [Int32]
    /// Real-valued targets, one per example (nil: a classification data set).
    public var targets: [Float]?

    public init(featureCount: Int, features: [Float], labels: [Int32], targets: [Float]? = nil) {
        precondition(featureCount > 0, "Dataset featureCount must be positive, got \(featureCount)")
        precondition(
            features.count == featureCount * labels.count,
            "Dataset: \(labels.count) labels need \(featureCount * labels.count) features, got \(features.count)")
        precondition(targets == nil || targets!.count == labels.count, "Dataset: \(labels.count) examples, \(targets?.count ?? 0) targets")
        self.featureCount = featureCount
        self.features = features
        self.labels = labels
        self.targets = targets
    }

    /// A regression data set: features and one real-valued target per example.
    public init(featureCount: Int, features: [Float], targets: [Float]) {
        self.init(featureCount: featureCount, features: features, labels: [Int32](repeating: 0, count: targets.count), targets: targets)
    }

    /// An empty data set of the given width (a regression set when `regression`).
    public init(featureCount: Int, regression: Bool = false) {
        self.init(featureCount: featureCount, features: [], labels: [], targets: regression ? [] : nil)
    }

    public var count: Int { labels.count }
    public var isEmpty: Bool { labels.isEmpty }
    /// True when the examples carry real-valued targets.
    public var isRegression: Bool { targets != nil }

    /// The distinct labels, sorted.
    public var classes: [Int32] { Array(Set(labels)).sorted() }

    /// One example's features.
    public func row(_ index: Int) -> ArraySlice<Float> {
        features[(index * featureCount)..<((index + 1) * featureCount)]
    }

    /// What example `index` is trained towards: its target, or its label's value.
    public func target(_ index: Int) -> Float {
        targets?[index] ?? Float(labels[index])
    }

    /// The examples at `indices`, in that order.
    public func subset(_ indices: some Sequence<Int>) -> Dataset {
        var result = Dataset(featureCount: featureCount, regression: isRegression)
        for index in indices {
            result.features.append(contentsOf: row(index))
            result.labels.append(labels[index])
            result.targets?.append(targets![index])
        }
        return result
    }

    /// The examples whose label is in `classes`.
    public func filter(classes: Set<Int32>) -> Dataset {
        subset(labels.indices.filter { classes.contains(labels[$0]) })
    }

    public mutating func append(features row: some Collection<Float>, label: Int32) {
        precondition(row.count == featureCount, "append: row has \(row.count) features, expected \(featureCount)")
        precondition(targets == nil, "append: a regression data set takes a target, not a label")
        features.append(contentsOf: row)
        labels.append(label)
    }

    /// Appends one regression example (the data set must be a regression set or empty).
    public mutating func append(features row: some Collection<Float>, target: Float) {
        precondition(row.count == featureCount, "append: row has \(row.count) features, expected \(featureCount)")
        precondition(targets != nil || isEmpty, "append: a classification data set takes a label, not a target")
        features.append(contentsOf: row)
        labels.append(0)
        if targets == nil { targets = [] }
        targets!.append(target)
    }

    public mutating func append(contentsOf other: Dataset) {
        precondition(other.featureCount == featureCount, "append: widths \(other.featureCount) and \(featureCount) differ")
        if isEmpty, targets == nil, other.targets != nil { targets = [] }
        precondition(other.isEmpty || isRegression == other.isRegression, "append: a regression and a classification data set cannot be mixed")
        features.append(contentsOf: other.features)
        labels.append(contentsOf: other.labels)
        if let more = other.targets { targets?.append(contentsOf: more) }
    }

    /// Checks the data fits a model: width, labels within the outputs (or, for real-valued
    /// targets, a one-output mean-squared-error model), finite features and targets.
    public func validate(against spec: ModelSpec) throws {
        guard featureCount == spec.inputSize else {
            throw LearningError(
                .shapeMismatch, "data has \(featureCount) features per example, the model takes \(spec.inputSize)")
        }
        if let targets {
            guard spec.isRegression else {
                throw LearningError(
                    .shapeMismatch,
                    "data has real-valued targets; the model is a classifier (\(spec.loss.rawValue), \(spec.outputSize) outputs), not a one-output meanSquaredError regression")
            }
            if let bad = targets.firstIndex(where: { !$0.isFinite }) {
                throw LearningError(.invalidData, "example \(bad): target \(targets[bad]) is not finite")
            }
        } else {
            let classCount = spec.loss == .softmaxCrossEntropy || spec.outputSize > 1 ? spec.outputSize : 2
            if let bad = labels.firstIndex(where: { $0 < 0 || Int($0) >= classCount }) {
                throw LearningError(
                    .invalidData, "example \(bad): label \(labels[bad]) is outside the model's classes 0..<\(classCount)")
            }
        }
        if let bad = features.firstIndex(where: { !$0.isFinite }) {
            throw LearningError(
                .invalidData,
                "example \(bad / featureCount), feature \(bad % featureCount): value \(features[bad]) is not finite")
        }
    }
}
