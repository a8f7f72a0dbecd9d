import NIOConcurrencyHelpers
import TributaryLearning

/// Examples held in memory, for simulations and tests: ``append(_:)`` as a device would collect
/// them, ``replace(with:)`` to hand the client the next task's partition (all of it new).
///
/// The simulation changes the data from its own task while the agent reads it, and
/// ``EdgeDataSource`` is synchronous (the feedback store is SQLite), so an actor cannot serve it:
/// a lock guards one ``Examples`` value, whose methods hold the logic.
public final class InMemoryDataSource: EdgeDataSource, Sendable {
    private let examples: NIOLockedValueBox<Examples>

    public init(_ data: Dataset) {
        examples = NIOLockedValueBox(Examples(data))
    }

    /// Adds examples (newest last).
    public func append(_ data: Dataset) {
        examples.withLockedValue { $0.held.append(contentsOf: data) }
    }

    /// Drops every example and holds `data` instead; none of it is trained yet. The dropped
    /// examples already trained are retired with the next window.
    public func replace(with data: Dataset) {
        examples.withLockedValue { $0.replace(with: data) }
    }

    public func status() throws -> EdgeDataStatus {
        examples.withLockedValue { $0.status() }
    }

    public func trainingWindow(limit: Int, onlyNew: Bool) throws -> EdgeTrainingWindow {
        examples.withLockedValue { $0.trainingWindow(limit: limit, onlyNew: onlyNew) }
    }

    public func markTrained(_ window: EdgeTrainingWindow) throws {
        examples.withLockedValue { $0.markTrained(window) }
    }

    public func arrivals(after cursor: Int64, limit: Int) throws -> (examples: Dataset, cursor: Int64) {
        examples.withLockedValue { $0.arrivals(after: cursor, limit: limit) }
    }

    /// The examples, the id of the first one, the id trained through, the id handed to the
    /// replay buffer through, and trained examples `replace` dropped that the replay buffer has
    /// not had yet (with their ids).
    struct Examples: Sendable {
        var held: Dataset
        var firstID: Int64 = 1
        var trainedThrough: Int64 = 0
        var retiredThrough: Int64 = 0
        var dropped: Dataset
        var droppedIDs: [Int64] = []

        init(_ data: Dataset) {
            held = data
            dropped = Dataset(featureCount: data.featureCount)
        }

        mutating func replace(with data: Dataset) {
            let unretired = trainedSinceRetired(before: held.count)
            if !unretired.isEmpty {
                dropped.append(contentsOf: held.subset(unretired))
                droppedIDs.append(contentsOf: unretired.map { firstID + Int64($0) })
            }
            firstID += Int64(held.count)
            held = data
        }

        func status() -> EdgeDataStatus {
            let newest = firstID + Int64(held.count) - 1
            let fresh = max(0, min(held.count, Int(newest - max(trainedThrough, firstID - 1))))
            return EdgeDataStatus(trainable: held.count, newSinceTraining: fresh, newest: newest)
        }

        func trainingWindow(limit: Int, onlyNew: Bool) -> EdgeTrainingWindow {
            let newest = firstID + Int64(held.count) - 1
            let start = max(onlyNew ? index(after: trainedThrough) : 0, held.count - limit)
            let data = held.subset(start..<held.count)
            // Trained examples before the window leave it: the dropped ones, then those pushed out.
            var retired = dropped, through = droppedIDs.last ?? retiredThrough
            let pushedOut = trainedSinceRetired(before: start)
            if !pushedOut.isEmpty {
                retired.append(contentsOf: held.subset(pushedOut))
                through = firstID + Int64(pushedOut.upperBound) - 1
            }
            return EdgeTrainingWindow(data: data, retired: retired, mark: newest, retiredThrough: max(through, retiredThrough))
        }

        mutating func markTrained(_ window: EdgeTrainingWindow) {
            trainedThrough = max(trainedThrough, window.mark)
            retiredThrough = max(retiredThrough, window.retiredThrough)
            let handed = droppedIDs.prefix { $0 <= window.retiredThrough }.count
            if handed > 0 {
                dropped = dropped.subset(handed..<dropped.count)
                droppedIDs.removeFirst(handed)
            }
        }

        func arrivals(after cursor: Int64, limit: Int) -> (examples: Dataset, cursor: Int64) {
            let start = Int(max(0, cursor + 1 - firstID))
            guard start < held.count else { return (Dataset(featureCount: held.featureCount), max(cursor, firstID + Int64(held.count) - 1)) }
            let end = min(held.count, start + limit)
            return (held.subset(start..<end), firstID + Int64(end) - 1)
        }

        /// The index of `held` just after id `id` (clamped to the held examples).
        private func index(after id: Int64) -> Int {
            Int(max(0, min(Int64(held.count), id - firstID + 1)))
        }

        /// Indices of held examples trained but not yet retired, below index `end`.
        private func trainedSinceRetired(before end: Int) -> Range<Int> {
            let lower = index(after: retiredThrough), upper = min(end, index(after: trainedThrough))
            return lower < upper ? lower..<upper : lower..<lower
        }
    }
}
