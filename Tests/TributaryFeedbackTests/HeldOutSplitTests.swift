import Foundation
import Testing
@testable import TributaryFeedback
import TributarySystem

@Suite struct HeldOutSplitTests {
    func store(path: String? = nil, fraction: Double) throws -> (FeedbackStore, String) {
        let file = path ?? {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("heldout-\(UUID().uuidString)").path
            try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            return dir + "/feedback.sqlite"
        }()
        let configuration = FeedbackStore.Configuration(featureCount: 1, classCount: 2, heldOut: try HeldOutSplit(fraction: fraction))
        return (try FeedbackStore(path: file, configuration: configuration), file)
    }

    @Test func heldOutExamplesNeverTrainAndTheSplitSurvivesAReopen() throws {
        let (store, path) = try store(fraction: 0.25)
        // The feature is the example's id (ids count from 1), so each set names its ids.
        for id in 1...400 { try store.insert(FeedbackRecord(features: [Float(id)], label: Int32(id % 2), provenance: .label)) }
        let trained = Set(try store.trainingWindow(limit: 1_000, onlyNew: false).data.features.map { Int64($0) })
        let heldOut = Set(try store.heldOutSet(limit: 1_000).features.map { Int64($0) })
        #expect(trained.isDisjoint(with: heldOut))
        #expect(trained.union(heldOut) == Set(1...400))
        #expect(heldOut == Set((1...400).filter { store.configuration.heldOut.holdsOut(id: $0) }))
        // About a quarter: the hash spreads ids evenly (binomial sd ≈ 8.7 at n = 400).
        #expect((60...140).contains(heldOut.count), "held out \(heldOut.count) of 400")
        #expect(Set(try store.trainingData(onlyNew: false).data.features.map { Int64($0) }) == trained)

        let (reopened, _) = try self.store(path: path, fraction: 0.25)
        #expect(Set(try reopened.heldOutSet(limit: 1_000).features.map { Int64($0) }) == heldOut)
        #expect(try reopened.heldOutSet(limit: 10).count == 10)
    }

    @Test func noFractionHoldsNothingBack() throws {
        let (store, _) = try store(fraction: 0)
        for id in 1...50 { try store.insert(FeedbackRecord(features: [Float(id)], label: 0, provenance: .label)) }
        #expect(try store.heldOutSet(limit: 100).isEmpty)
        #expect(try store.trainingWindow(limit: 100, onlyNew: false).data.count == 50)
    }

    @Test func aFractionOutsideTheRangeIsRefusedByValue() {
        for bad in [-0.1, 0.95, Double.nan] {
            #expect(throws: FeedbackError.self) { try HeldOutSplit(fraction: bad) }
        }
        do {
            _ = try HeldOutSplit(fraction: 1.5)
            Issue.record("1.5 accepted")
        } catch {
            #expect("\(error)".contains("heldOutFraction must be a number in [0, 0.9], got 1.5"))
        }
    }
}
