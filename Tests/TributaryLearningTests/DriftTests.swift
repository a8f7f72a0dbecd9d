import Testing
import TributaryLearning

@Suite struct DriftTests {
    /// A model of the first concept, and the 0/1 error of its predictions over a stream that
    /// inverts its concept at example 3,000 (the first 1,000 examples trained the model).
    func errorStream(seed: UInt64) throws -> [Bool] {
        var stream = DriftingStream(dimensions: 4, seed: seed, noise: 0.05, abruptDriftAt: 3000)
        let training = stream.next(1000)
        let plan = TrainingPlan(epochs: 20, batchSize: 32)
        let start = try Checkpoint.fresh(spec: try ModelSpec.mlp(input: 4, hidden: [8], outputs: 2), seed: seed, optimizer: .sgd(SGD(learningRate: 0.2)), plan: plan)
        let model = try IncrementalJob(plan: plan).run(from: start, data: training).candidate.model()
        let later = stream.next(4000)
        let predictions = Evaluation.predictions(model, on: later)
        return zip(predictions, later.labels).map { $0 == Int($1) }
    }

    func firstAlarm(_ detector: inout some DriftDetector, _ correct: [Bool]) -> Int? {
        for (index, ok) in correct.enumerated() where detector.observe(ok ? 0 : 1) { return index + 1000 }
        return nil
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func pageHinkleyFiresAfterTheDriftAndNotBefore(seed: UInt64) throws {
        let correct = try errorStream(seed: seed)
        #expect(Double(correct.prefix(2000).filter { $0 }.count) / 2000 > 0.85)
        var detector = PageHinkley(delta: 0.005, threshold: 50)
        let alarm = try #require(firstAlarm(&detector, correct))
        #expect(alarm >= 3000 && alarm < 3300, "Page-Hinkley alarm at \(alarm)")
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func adwinFiresAfterTheDriftAndNotBefore(seed: UInt64) throws {
        let correct = try errorStream(seed: seed)
        var detector = ADWIN(confidence: 0.002)
        let alarm = try #require(firstAlarm(&detector, correct))
        #expect(alarm >= 3000 && alarm < 3300, "ADWIN alarm at \(alarm)")
        #expect(detector.width < 400)  // the old concept was dropped from the window
        let errorBefore = Double(correct.prefix(2000).filter { !$0 }.count) / 2000
        #expect(detector.mean > errorBefore)  // the window now holds mostly the new, worse regime
    }

    @Test func theDriftStatisticsAreWhatTheDetectorsCompareWithTheirThresholds() {
        // Page-Hinkley on 0, 0, 1, 1 with δ 0: means 0, 0, 1/3, 1/2; m = 0, 0, 2/3, 7/6; M = 0.
        var detector = PageHinkley(delta: 0, threshold: 5, minimumCount: 1)
        for value in [0.0, 0, 1, 1] { _ = detector.observe(value) }
        #expect(abs(detector.statistic - 7.0 / 6.0) < 1e-12)
        var trigger = TrainingTrigger(configuration: .init(pageHinkley: PageHinkley(delta: 0, threshold: 5, minimumCount: 1)))
        #expect(trigger.driftStatistics == ["page_hinkley": 0, "page_hinkley_threshold": 5])
        for correct in [true, true, false, false] { _ = trigger.handle(.prediction(correct: correct)) }
        #expect(abs((trigger.driftStatistics["page_hinkley"] ?? 0) - 7.0 / 6.0) < 1e-12, "the detector watches the error stream")
    }

    @Test func triggersFireOnVolumeAccuracyDropAndDrift() throws {
        var volume = TrainingTrigger(configuration: .init(volumeThreshold: 100))
        #expect(volume.examplesArrived(60) == nil)
        #expect(volume.examplesArrived(40) == .volume(newExamples: 100))
        volume.trained(heldOutAccuracy: 0.9)
        #expect(volume.examplesArrived(99) == nil)

        var accuracy = TrainingTrigger(configuration: .init(accuracyDropMargin: 0.05))
        accuracy.trained(heldOutAccuracy: 0.9)
        #expect(accuracy.heldOutAccuracy(0.87) == nil)
        #expect(accuracy.heldOutAccuracy(0.84) == .accuracyDrop(from: 0.9, to: 0.84))

        let correct = try errorStream(seed: 4)
        var drift = TrainingTrigger(configuration: .init(pageHinkley: PageHinkley(), adwin: ADWIN()))
        var reason: TrainingTrigger.Reason?
        var at = 0
        for (index, ok) in correct.enumerated() {
            if let fired = drift.predictionObserved(correct: ok) { reason = fired; at = index + 1000; break }
        }
        guard case .drift = reason else { Issue.record("no drift trigger"); return }
        #expect(at >= 3000 && at < 3300)
    }

    /// The first announcement of each reason (index in the stream, reason) fed with `handle`.
    func announcements(_ trigger: inout TrainingTrigger, _ correct: [Bool]) -> [(at: Int, reason: TrainingTrigger.Reason)] {
        var announced: [(at: Int, reason: TrainingTrigger.Reason)] = []
        for (index, ok) in correct.enumerated() {
            if let reason = trigger.handle(.prediction(correct: ok)) { announced.append((index + 1000, reason)) }
        }
        return announced
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func rollingAccuracyDropFiresAfterTheDriftAndNotBefore(seed: UInt64) throws {
        let correct = try errorStream(seed: seed)
        var trigger = TrainingTrigger(configuration: .init(accuracyDropMargin: 0.15, accuracyWindow: 100))
        let announced = announcements(&trigger, correct)
        let first = try #require(announced.first)
        guard case .accuracyDrop(let from, let to) = first.reason else { Issue.record("\(first.reason)"); return }
        #expect(first.at >= 3000 && first.at < 3300, "accuracy-drop announcement at \(first.at)")
        #expect(from > 0.85 && to < from - 0.15)
    }

    @Test func announcesOnceUntilTrainedAndAgainOnEachConnection() throws {
        let correct = try errorStream(seed: 5)
        var trigger = TrainingTrigger(configuration: .init(volumeThreshold: 10_000, accuracyDropMargin: 0.15, accuracyWindow: 100,
                                                           pageHinkley: PageHinkley(), adwin: ADWIN()))
        #expect(trigger.handle(.connected) == nil)
        let announced = announcements(&trigger, correct)
        #expect(announced.count == 1, "\(announced)")
        let first = try #require(announced.first)
        #expect(first.at >= 3000 && first.at < 3300, "announcement at \(first.at): \(first.reason)")
        #expect(trigger.pending == first.reason)
        #expect(trigger.handle(.examplesArrived(20_000)) == nil)  // volume also past, already announced
        #expect(trigger.handle(.connected) == .startup(first.reason))
        #expect(trigger.handle(.connected)?.name == "startup")
        _ = trigger.handle(.trained(heldOutAccuracy: nil))
        #expect(trigger.pending == nil)
        #expect(trigger.newExamples == 0)
        #expect(trigger.handle(.connected) == nil)
        #expect(trigger.handle(.examplesArrived(10_000)) == .volume(newExamples: 10_000))
        #expect(trigger.handle(.modelChanged) == nil)
        #expect(trigger.pending == .volume(newExamples: 10_000))
    }
}
