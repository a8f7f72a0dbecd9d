import TributaryLearning

/// Where an edge agent's private examples come from: the feedback store on a device
/// (``FeedbackStoreSource``), or a data set in memory (``InMemoryDataSource``: a simulation hands
/// each client its partition and swaps it per task). Examples never leave through it.
public protocol EdgeDataSource: Sendable {
    /// Trainable examples held, newest id, and how many arrived since the last trained round.
    func status() throws -> EdgeDataStatus
    /// A round's training data: the newest `limit` trainable examples (or only the new ones).
    func trainingWindow(limit: Int, onlyNew: Bool) throws -> EdgeTrainingWindow
    /// The round's state is saved: examples up to `mark` count as trained.
    func markTrained(through mark: Int64) throws
    /// Trainable examples that arrived after `cursor` (at most `limit`, oldest first), for the
    /// triggers, and the cursor to pass next time.
    func arrivals(after cursor: Int64, limit: Int) throws -> (examples: Dataset, cursor: Int64)
}

public struct EdgeDataStatus: Sendable, Equatable {
    public var trainable: Int
    public var newSinceTraining: Int
    /// Cursor of the newest example (pass to ``EdgeDataSource/arrivals(after:limit:)``).
    public var newest: Int64

    public init(trainable: Int, newSinceTraining: Int, newest: Int64) {
        self.trainable = trainable
        self.newSinceTraining = newSinceTraining
        self.newest = newest
    }
}

public struct EdgeTrainingWindow: Sendable, Equatable {
    public var data: Dataset
    /// The examples of `data` not trained on before (they join the replay buffer).
    public var newExamples: Dataset
    public var mark: Int64

    public init(data: Dataset, newExamples: Dataset, mark: Int64) {
        self.data = data
        self.newExamples = newExamples
        self.mark = mark
    }
}
