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
        return EdgeDataStatus(trainable: counts.trainable, newSinceTraining: counts.newSinceTraining, newest: try store.newestID())
    }

    public func trainingWindow(limit: Int, onlyNew: Bool) throws -> EdgeTrainingWindow {
        let window = try store.trainingWindow(limit: limit, onlyNew: onlyNew)
        return EdgeTrainingWindow(data: window.data, newExamples: window.newExamples, mark: window.throughID)
    }

    public func markTrained(through mark: Int64) throws {
        try store.markTrained(through: mark)
    }

    public func arrivals(after cursor: Int64, limit: Int) throws -> (examples: Dataset, cursor: Int64) {
        let (data, last) = try store.trainableExamples(after: cursor, limit: limit)
        return (data, last)
    }
}
