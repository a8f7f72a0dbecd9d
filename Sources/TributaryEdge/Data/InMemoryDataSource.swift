import Foundation
import TributaryLearning

/// Examples held in memory, for simulations and tests: ``append(_:)`` as a device would collect
/// them, ``replace(with:)`` to hand the client the next task's partition (all of it new).
public final class InMemoryDataSource: EdgeDataSource, @unchecked Sendable {
    private let lock = NSLock()
    /// Guarded by `lock`: the examples, the id of the first one, the id trained through, the id
    /// handed to the replay buffer through, and trained examples `replace` dropped that the
    /// replay buffer has not had yet (with their ids).
    private var examples: Dataset
    private var firstID: Int64 = 1
    private var trainedThrough: Int64 = 0
    private var retiredThrough: Int64 = 0
    private var dropped: Dataset
    private var droppedIDs: [Int64] = []

    public init(_ data: Dataset) {
        self.examples = data
        self.dropped = Dataset(featureCount: data.featureCount)
    }

    /// Adds examples (newest last).
    public func append(_ data: Dataset) {
        lock.withLock { examples.append(contentsOf: data) }
    }

    /// Drops every example and holds `data` instead; none of it is trained yet. The dropped
    /// examples already trained are retired with the next window.
    public func replace(with data: Dataset) {
        lock.withLock {
            let unretired = trainedSinceRetired(before: examples.count)
            if !unretired.isEmpty {
                dropped.append(contentsOf: examples.subset(unretired))
                droppedIDs.append(contentsOf: unretired.map { firstID + Int64($0) })
            }
            firstID += Int64(examples.count)
            examples = data
        }
    }

    public func status() throws -> EdgeDataStatus {
        lock.withLock {
            let newest = firstID + Int64(examples.count) - 1
            let fresh = max(0, min(examples.count, Int(newest - max(trainedThrough, firstID - 1))))
            return EdgeDataStatus(trainable: examples.count, newSinceTraining: fresh, newest: newest)
        }
    }

    public func trainingWindow(limit: Int, onlyNew: Bool) throws -> EdgeTrainingWindow {
        lock.withLock {
            let newest = firstID + Int64(examples.count) - 1
            let start = max(onlyNew ? index(after: trainedThrough) : 0, examples.count - limit)
            let data = examples.subset(start..<examples.count)
            // Trained examples before the window leave it: the dropped ones, then those pushed out.
            var retired = dropped, through = droppedIDs.last ?? retiredThrough
            let pushedOut = trainedSinceRetired(before: start)
            if !pushedOut.isEmpty {
                retired.append(contentsOf: examples.subset(pushedOut))
                through = firstID + Int64(pushedOut.upperBound) - 1
            }
            return EdgeTrainingWindow(data: data, retired: retired, mark: newest, retiredThrough: max(through, retiredThrough))
        }
    }

    public func markTrained(_ window: EdgeTrainingWindow) throws {
        lock.withLock {
            trainedThrough = max(trainedThrough, window.mark)
            retiredThrough = max(retiredThrough, window.retiredThrough)
            let handed = droppedIDs.prefix { $0 <= window.retiredThrough }.count
            if handed > 0 {
                dropped = dropped.subset(handed..<dropped.count)
                droppedIDs.removeFirst(handed)
            }
        }
    }

    /// The index of `examples` just after id `id` (clamped to the held examples). Lock held.
    private func index(after id: Int64) -> Int {
        Int(max(0, min(Int64(examples.count), id - firstID + 1)))
    }

    /// Indices of held examples trained but not yet retired, below index `end`. Lock held.
    private func trainedSinceRetired(before end: Int) -> Range<Int> {
        let lower = index(after: retiredThrough), upper = min(end, index(after: trainedThrough))
        return lower < upper ? lower..<upper : lower..<lower
    }

    public func arrivals(after cursor: Int64, limit: Int) throws -> (examples: Dataset, cursor: Int64) {
        lock.withLock {
            let start = Int(max(0, cursor + 1 - firstID))
            guard start < examples.count else { return (Dataset(featureCount: examples.featureCount), max(cursor, firstID + Int64(examples.count) - 1)) }
            let end = min(examples.count, start + limit)
            return (examples.subset(start..<end), firstID + Int64(end) - 1)
        }
    }
}
