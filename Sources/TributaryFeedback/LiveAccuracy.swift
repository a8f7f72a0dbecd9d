/// Prequential accuracy of one model version: of its served predictions that got feedback, how
/// many were right (the first feedback on a prediction decides; ``FeedbackJoin`` says which
/// feedback counts as right or wrong).
public struct LiveAccuracy: Sendable, Equatable, Codable {
    public var modelVersion: UInt64
    public var correct: Int
    public var total: Int

    public init(modelVersion: UInt64, correct: Int, total: Int) {
        self.modelVersion = modelVersion
        self.correct = correct
        self.total = total
    }

    /// correct / total (nil before any feedback).
    public var accuracy: Double? { total == 0 ? nil : Double(correct) / Double(total) }
}

/// One live outcome, in the order feedback arrived: the triggers' right/wrong stream.
public struct LiveOutcome: Sendable, Equatable {
    public var modelVersion: UInt64
    public var correct: Bool

    public init(modelVersion: UInt64, correct: Bool) {
        self.modelVersion = modelVersion
        self.correct = correct
    }
}

/// The review queue's counters (`GET /v1/status`).
public struct ReviewCounts: Sendable, Equatable {
    /// Predictions waiting for a reviewer.
    public var queued: Int
    /// Predictions that left the queue unreviewed (the queue was full, or the prediction left the log).
    public var dropped: Int
    /// Predictions labelled through `POST /v1/review/{id}`.
    public var reviewed: Int

    public init(queued: Int, dropped: Int, reviewed: Int) {
        self.queued = queued
        self.dropped = dropped
        self.reviewed = reviewed
    }
}
