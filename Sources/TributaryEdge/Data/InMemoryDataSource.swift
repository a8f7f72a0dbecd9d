import Foundation
import TributaryLearning

/// Examples held in memory, for simulations and tests: ``append(_:)`` as a device would collect
/// them, ``replace(with:)`` to hand the client the next task's partition (all of it new).
public final class InMemoryDataSource: EdgeDataSource, @unchecked Sendable {
    private let lock = NSLock()
    /// Guarded by `lock`: the examples, the id of the first one, the id trained through.
    private var examples: Dataset
    private var firstID: Int64 = 1
    private var trainedThrough: Int64 = 0

    public init(_ data: Dataset) {
        self.examples = data
    }

    /// Adds examples (newest last).
    public func append(_ data: Dataset) {
        lock.withLock { examples.append(contentsOf: data) }
    }

    /// Drops every example and holds `data` instead; none of it is trained yet.
    public func replace(with data: Dataset) {
        lock.withLock {
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
            let firstNew = Int(max(0, trainedThrough + 1 - firstID))
            let start = max(onlyNew ? min(firstNew, examples.count) : 0, examples.count - limit)
            let data = examples.subset(start..<examples.count)
            let fresh = examples.subset(max(start, min(firstNew, examples.count))..<examples.count)
            return EdgeTrainingWindow(data: data, newExamples: fresh, mark: newest)
        }
    }

    public func markTrained(through mark: Int64) throws {
        lock.withLock { trainedThrough = max(trainedThrough, mark) }
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
