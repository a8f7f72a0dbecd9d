import Testing
import TributaryEdge
import TributaryLearning

@Suite struct InMemoryDataSourceTests {
    func rows(_ values: ClosedRange<Int>) -> Dataset {
        var data = Dataset(featureCount: 1)
        for value in values { data.append(features: [Float(value)], label: 0) }
        return data
    }

    @Test func windowNewExamplesArrivalsAndSwap() throws {
        let source = InMemoryDataSource(rows(1...5))
        #expect(try source.status() == EdgeDataStatus(trainable: 5, newSinceTraining: 5, newest: 5))
        let window = try source.trainingWindow(limit: 3, onlyNew: false)
        #expect(window.data.features == [3, 4, 5])
        #expect(window.retired.isEmpty)
        try source.markTrained(window)
        source.append(rows(6...7))
        #expect(try source.status().newSinceTraining == 2)
        let next = try source.trainingWindow(limit: 10, onlyNew: false)
        #expect(next.data.features == [1, 2, 3, 4, 5, 6, 7])
        #expect(next.retired.isEmpty)
        #expect(try source.trainingWindow(limit: 10, onlyNew: true).data.features == [6, 7])
        let arrived = try source.arrivals(after: 5, limit: 10)
        #expect(arrived.examples.features == [6, 7] && arrived.cursor == 7)
        source.replace(with: rows(100...101))
        #expect(try source.status() == EdgeDataStatus(trainable: 2, newSinceTraining: 2, newest: 9))
        #expect(try source.arrivals(after: 7, limit: 10).examples.features == [100, 101])
    }

    @Test func trainedExamplesRetireOnceWhenTheyLeaveTheWindow() throws {
        let source = InMemoryDataSource(rows(1...4))
        let first = try source.trainingWindow(limit: 10, onlyNew: false)
        try source.markTrained(first)
        // Untrained examples pushed out of the window are not retired; trained ones are, once.
        source.append(rows(5...6))
        let second = try source.trainingWindow(limit: 4, onlyNew: false)
        #expect(second.data.features == [3, 4, 5, 6])
        #expect(second.retired.features == [1, 2])
        try source.markTrained(second)
        // A new task: the trained data set leaves the window as a whole, the rest of it retires.
        source.replace(with: rows(100...101))
        let third = try source.trainingWindow(limit: 10, onlyNew: false)
        #expect(third.data.features == [100, 101])
        #expect(third.retired.features == [3, 4, 5, 6])
        try source.markTrained(third)
        #expect(try source.trainingWindow(limit: 10, onlyNew: false).retired.isEmpty)
    }
}
