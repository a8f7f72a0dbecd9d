import TributaryFeedback
import TributaryLearning

/// Where an edge agent's private examples come from: the feedback store on a device
/// (``FeedbackStoreSource``), or a data set in memory (``InMemoryDataSource``: a simulation hands
/// each client its partition and swaps it per task). Examples never leave through it.
public protocol EdgeDataSource: Sendable {
    /// Trainable examples held, newest id, and how many arrived since the last trained round.
    func status() throws -> EdgeDataStatus
    /// A round's training data: the newest `limit` trainable examples (or only the new ones).
    func trainingWindow(limit: Int, onlyNew: Bool) throws -> EdgeTrainingWindow
    /// The round's state is saved: the window's examples count as trained, and its retired
    /// examples as stored in the replay buffer (they are not handed out again).
    func markTrained(_ window: EdgeTrainingWindow) throws
    /// Trainable examples that arrived after `cursor` (at most `limit`, oldest first), for the
    /// triggers, and the cursor to pass next time.
    func arrivals(after cursor: Int64, limit: Int) throws -> (examples: Dataset, cursor: Int64)
    /// Live outcomes (feedback on served predictions: right or wrong, by model version) recorded
    /// after `cursor`, oldest first, and the cursor to pass next time. Default: none.
    func outcomes(after cursor: Int64, limit: Int) throws -> (outcomes: [LiveOutcome], cursor: Int64)
    /// Live accuracy per model version. Default: none.
    func liveAccuracy() throws -> [LiveAccuracy]
    /// The local held-out set (labelled examples never trained on), newest `limit`, raw; nil when
    /// the source keeps none (the default).
    func heldOut(limit: Int) throws -> Dataset?
}

extension EdgeDataSource {
    public func outcomes(after cursor: Int64, limit: Int) throws -> (outcomes: [LiveOutcome], cursor: Int64) { ([], cursor) }
    public func liveAccuracy() throws -> [LiveAccuracy] { [] }
    public func heldOut(limit: Int) throws -> Dataset? { nil }
}

public struct EdgeDataStatus: Sendable, Equatable {
    public var trainable: Int
    public var newSinceTraining: Int
    /// Cursor of the newest example (pass to ``EdgeDataSource/arrivals(after:limit:)``).
    public var newest: Int64
    /// Cursor of the newest live outcome (pass to ``EdgeDataSource/outcomes(after:limit:)``; 0: none yet).
    public var newestOutcome: Int64

    public init(trainable: Int, newSinceTraining: Int, newest: Int64, newestOutcome: Int64 = 0) {
        self.trainable = trainable
        self.newSinceTraining = newSinceTraining
        self.newest = newest
        self.newestOutcome = newestOutcome
    }
}

/// A round's data: the window it trains on, and the examples that have left the window since
/// the last saved round.
///
/// Examples join the replay buffer when they leave the window, not when they first arrive: while
/// they are in the window the round trains on them directly, and the buffer holds the past (as a
/// federated client stores a task's data once, after its last round on it).
public struct EdgeTrainingWindow: Sendable, Equatable {
    public var data: Dataset
    /// Examples trained in earlier rounds that are no longer in `data` (the data set was replaced,
    /// or newer examples pushed them out): they join the replay buffer before this round trains.
    public var retired: Dataset
    /// The newest id in `data`: examples up to it count as trained once the round is saved.
    public var mark: Int64
    /// The newest id among `retired` (or the previous one when none retired).
    public var retiredThrough: Int64
    /// Live accuracy per model version when the window was read (its Update reports the held version's).
    public var live: [LiveAccuracy]

    public init(data: Dataset, retired: Dataset, mark: Int64, retiredThrough: Int64, live: [LiveAccuracy] = []) {
        self.data = data
        self.retired = retired
        self.mark = mark
        self.retiredThrough = retiredThrough
        self.live = live
    }
}
