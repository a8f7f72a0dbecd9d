import TributaryFeedback
import TributaryLearning

/// The device's feedback store as an edge agent's data: what the HTTP endpoint and CSV imports
/// stored (SQLite, WAL; safe to share with another process that writes).
public struct FeedbackStoreSource: EdgeDataSource {
    public let store: FeedbackStore

    public init(store: FeedbackStore) {
        self.store = store
    }

    public func status() throws -> EdgeDataStatus {
        let counts = try store.counts()
        return EdgeDataStatus(trainable: counts.trainable, newSinceTraining: counts.newSinceTraining, newest: try store.newestID(),
                              newestOutcome: try store.predictions.newestOutcomeID())
    }

    public func trainingWindow(limit: Int, onlyNew: Bool) throws -> EdgeTrainingWindow {
        let window = try store.trainingWindow(limit: limit, onlyNew: onlyNew)
        return EdgeTrainingWindow(data: window.data, retired: window.retired, mark: window.throughID, retiredThrough: window.retiredThrough)
    }

    public func markTrained(_ window: EdgeTrainingWindow) throws {
        try store.markTrained(through: window.mark, retiredThrough: window.retiredThrough)
    }

    public func arrivals(after cursor: Int64, limit: Int) throws -> (examples: Dataset, cursor: Int64) {
        let (data, last) = try store.trainableExamples(after: cursor, limit: limit)
        return (data, last)
    }

    public func outcomes(after cursor: Int64, limit: Int) throws -> (outcomes: [LiveOutcome], cursor: Int64) {
        try store.predictions.outcomes(after: cursor, limit: limit)
    }

    public func heldOut(limit: Int) throws -> Dataset? {
        try store.heldOutSet(limit: limit)
    }

    public func liveAccuracy() throws -> [LiveAccuracy] {
        try store.predictions.liveAccuracy()
    }
}
