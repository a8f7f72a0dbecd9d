import Foundation
import Testing
@testable import TributaryFeedback
import TributarySystem

@Suite struct FeedbackStoreTests {
    func store(maxExamples: Int? = nil, maxAge: Duration? = nil) throws -> (FeedbackStore, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("feedback-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/feedback.sqlite"
        return (try FeedbackStore(path: path, configuration: .init(featureCount: 3, classCount: 4, maxExamples: maxExamples, maxAge: maxAge)), path)
    }

    func reason(_ body: () throws -> Void) -> String {
        do { try body(); return "accepted" } catch let error as FeedbackError { return error.reason } catch { return "\(error)" }
    }

    @Test func storesProvenanceAndTrainsOnlyOnTrustedLabels() throws {
        let (store, path) = try store()
        try store.insert(FeedbackRecord(features: [1, 2, 3], label: 1, provenance: .label))
        try store.insert(FeedbackRecord(features: [4, 5, 6], label: 2, provenance: .inference, modelVersion: 3))
        try store.insert(FeedbackRecord(features: [7, 8, 9], label: 3, provenance: .correction, modelVersion: 3))
        try store.insert(FeedbackRecord(features: [0, 0, 1], label: 0, provenance: .rating, modelVersion: 3, rating: 5))
        try store.insert(FeedbackRecord(features: [0, 1, 0], label: 0, provenance: .rating, modelVersion: 3, rating: 2))
        #expect(try store.counts() == FeedbackStore.Counts(stored: 5, trainable: 3, newSinceTraining: 3))
        let (data, through) = try store.trainingData(onlyNew: true)
        #expect(data.labels == [1, 3, 0])
        #expect(data.features == [1, 2, 3, 7, 8, 9, 0, 0, 1])
        try store.markTrained(through: through)
        #expect(try store.counts().newSinceTraining == 0)
        try store.insert(FeedbackRecord(features: [1, 1, 1], label: 2, provenance: .review))
        #expect(try store.trainingData(onlyNew: true).data.labels == [2])
        // Reopening the file finds everything.
        let reopened = try FeedbackStore(path: path, configuration: store.configuration)
        #expect(try reopened.counts() == FeedbackStore.Counts(stored: 6, trainable: 4, newSinceTraining: 1))
    }

    @Test func trainedExamplesRetireOnceWhenTheyLeaveTheWindow() throws {
        let (store, path) = try store()
        func add(_ values: ClosedRange<Int>) throws {
            for value in values { try store.insert(FeedbackRecord(features: [Float(value), 0, 0], label: 0, provenance: .label)) }
        }
        try add(1...4)
        let first = try store.trainingWindow(limit: 10, onlyNew: false)
        #expect(first.retired.isEmpty)
        try store.markTrained(through: first.throughID, retiredThrough: first.retiredThrough)
        try add(5...6)
        let second = try store.trainingWindow(limit: 4, onlyNew: false)
        #expect(second.data.count == 4)
        #expect(second.retired.features == [1, 0, 0, 2, 0, 0])
        try store.markTrained(through: second.throughID, retiredThrough: second.retiredThrough)
        let reopened = try FeedbackStore(path: path, configuration: store.configuration)
        #expect(try reopened.trainingWindow(limit: 4, onlyNew: false).retired.isEmpty)
        // Only new: what the last round trained has left the window.
        try add(7...7)
        #expect(try reopened.trainingWindow(limit: 10, onlyNew: true).retired.features == [3, 0, 0, 4, 0, 0, 5, 0, 0, 6, 0, 0])
    }

    @Test func badRecordsAreRefusedWithAReasonAndChangeNothing() throws {
        let (store, _) = try store()
        try store.insert(FeedbackRecord(features: [1, 2, 3], label: 1, provenance: .label))
        #expect(reason { try store.insert(FeedbackRecord(features: [1, 2], label: 1, provenance: .label)) } == "features: 2 values, the model takes 3")
        #expect(reason { try store.insert(FeedbackRecord(features: [1, .nan, 3], label: 1, provenance: .label)) } == "features[1]: nan is not a finite number")
        #expect(reason { try store.insert(FeedbackRecord(features: [1, 2, 3], label: 9, provenance: .label)) } == "label: 9 is not a known class (0..<4)")
        #expect(reason { try store.insert(FeedbackRecord(features: [1, 2, 3], label: 1, provenance: .label, modelVersion: .max)) }
            == "model_version: 18446744073709551615 is over 9223372036854775807, the largest version number stored")
        #expect(reason { try store.insert(FeedbackRecord(features: [1, 2, 3], label: 1, provenance: .rating, rating: 7)) }.contains("rating: 7.0 must be a number from 1 to 5"))
        let batch = [FeedbackRecord(features: [1, 2, 3], label: 1, provenance: .label), FeedbackRecord(features: [1, 2, 3], label: -1, provenance: .label)]
        #expect(reason { try store.insert(batch) } == "record 1: label: -1 is not a known class (0..<4)")
        #expect(try store.counts().stored == 1)
    }

    @Test func slidingWindowAndMaximumAgeBoundTheStore() throws {
        let (window, _) = try store(maxExamples: 5)
        for i in 0..<12 { try window.insert(FeedbackRecord(features: [Float(i), 0, 0], label: 0, provenance: .label)) }
        #expect(try window.trainingData(onlyNew: false).data.features.enumerated().filter { $0.offset % 3 == 0 }.map(\.element) == [7, 8, 9, 10, 11])
        let (aged, _) = try store(maxAge: .seconds(60))
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        try aged.insert(FeedbackRecord(features: [1, 0, 0], label: 0, provenance: .label), now: t0)
        try aged.insert(FeedbackRecord(features: [2, 0, 0], label: 0, provenance: .label), now: t0 + 30)
        try aged.insert(FeedbackRecord(features: [3, 0, 0], label: 0, provenance: .label), now: t0 + 75)
        #expect(try aged.trainingData(onlyNew: false).data.features.enumerated().filter { $0.offset % 3 == 0 }.map(\.element) == [2, 3])
    }

    @Test func importsACSVInOneTransaction() throws {
        let (store, path) = try store()
        let csv = path + ".csv"
        try AtomicFile.write(Array("a,b,c,label\n1,2,3,0\n4,5,6,3\n".utf8), to: csv)
        #expect(try store.importCSV(path: csv) == 2)
        try AtomicFile.write(Array("a,b,c,label\n1,2,3,0\n4,5,6,7\n".utf8), to: csv)
        #expect(reason { _ = try store.importCSV(path: csv) }.contains("label 7 is outside 0..<4"))
        #expect(try store.counts().stored == 2)
    }
}
