import TributaryLearning

/// One task of a continual-learning sequence: its training and test data.
public struct ContinualTask: Sendable {
    public var name: String
    public var train: Dataset
    public var test: Dataset
    /// The classes this task's data uses.
    public var classes: [Int32]

    public init(name: String, train: Dataset, test: Dataset, classes: [Int32]) {
        self.name = name
        self.train = train
        self.test = test
        self.classes = classes
    }
}
