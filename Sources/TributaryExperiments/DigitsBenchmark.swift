import TributaryLearning

/// The digits continual-learning protocols: a 70/30 stratified split of the 1,797 digits, then
/// "split digits" (5 tasks of 2 classes, {0,1}, {2,3}, …, one shared 10-way head) or
/// "permuted digits" (5 tasks of all 10 classes, each under a fixed pixel permutation, task 0
/// the identity). Features are standardised with statistics of task 0's training data.
public enum DigitsBenchmark {
    public enum Scenario: String, Sendable, CaseIterable {
        case split, permuted
    }

    /// Reads the digits CSV shipped in `data/digits.csv`.
    public static func load(path: String) throws -> Dataset {
        try CSVLoader.load(path: path, options: .init(header: .present, label: .named("label"), classCount: 10))
    }

    /// Splits each class `trainFraction` / rest after a seeded shuffle.
    public static func stratifiedSplit(_ data: Dataset, trainFraction: Double = 0.7, seed: UInt64) -> (train: Dataset, test: Dataset) {
        var generator = SeededGenerator(seed: seed)
        var trainIndices: [Int] = [], testIndices: [Int] = []
        for label in data.classes {
            var indices = data.labels.indices.filter { data.labels[$0] == label }
            for i in stride(from: indices.count - 1, to: 0, by: -1) { indices.swapAt(i, generator.nextInt(below: i + 1)) }
            let cut = Int((Double(indices.count) * trainFraction).rounded())
            trainIndices += indices[..<cut]
            testIndices += indices[cut...]
        }
        return (data.subset(trainIndices.sorted()), data.subset(testIndices.sorted()))
    }

    /// The tasks of a scenario, standardised with task 0's training statistics.
    public static func tasks(_ scenario: Scenario, data: Dataset, seed: UInt64) -> [ContinualTask] {
        var (train, test) = stratifiedSplit(data, seed: seed)
        var tasks: [ContinualTask] = []
        switch scenario {
        case .split:
            let standardizer = Standardizer(fitting: train.filter(classes: [0, 1]))
            (train, test) = (standardizer.apply(train), standardizer.apply(test))
            for t in 0..<5 {
                let classes: [Int32] = [Int32(2 * t), Int32(2 * t + 1)]
                tasks.append(ContinualTask(
                    name: "digits \(classes[0])/\(classes[1])", train: train.filter(classes: Set(classes)),
                    test: test.filter(classes: Set(classes)), classes: classes))
            }
        case .permuted:
            // Task 0 is the identity permutation of all classes: standardise, then permute.
            let standardizer = Standardizer(fitting: train)
            (train, test) = (standardizer.apply(train), standardizer.apply(test))
            var generator = SeededGenerator(seed: seed &+ 1)
            for t in 0..<5 {
                var permutation = Array(0..<data.featureCount)
                if t > 0 {
                    for i in stride(from: permutation.count - 1, to: 0, by: -1) { permutation.swapAt(i, generator.nextInt(below: i + 1)) }
                }
                tasks.append(ContinualTask(
                    name: "permutation \(t)", train: permute(train, permutation), test: permute(test, permutation),
                    classes: Array(0..<10)))
            }
        }
        return tasks
    }

    static func permute(_ data: Dataset, _ permutation: [Int]) -> Dataset {
        var result = data
        let width = data.featureCount
        for row in 0..<data.count {
            for j in 0..<width { result.features[row * width + j] = data.features[row * width + permutation[j]] }
        }
        return result
    }
}
