import Testing
import TributaryRounds

@Suite struct FederatedEvaluationTests {
    let t0 = ContinuousClock.now
    typealias Count = FederatedEvaluation.Count

    func evaluation(sample: Int = 3, minClients: Int = 2, minExamples: Int = 10, seed: UInt64 = 7) throws -> FederatedEvaluation {
        FederatedEvaluation(evaluationID: 4, version: 12, configuration: try EvaluationConfiguration(
            sampleSize: sample, minimumClients: minClients, minimumExamples: minExamples, timeout: .seconds(30), seed: seed))
    }

    func requested(_ actions: [FederatedEvaluation.Action]) -> [String] {
        actions.compactMap { if case .request(let client) = $0 { client } else { nil } }
    }

    func summary(_ actions: [FederatedEvaluation.Action]) -> EvaluationSummary? {
        for case .finished(let summary) in actions { return summary }
        return nil
    }

    @Test func answersAreSummedPerClassAndWeightedByExamples() throws {
        var run = try evaluation()
        let fleet = (0..<10).map { "edge-\($0)" }
        let start = run.start(eligible: fleet, now: t0)
        let asked = requested(start)
        #expect(asked.count == 3)
        #expect(start.contains(.wake(at: t0 + .seconds(30))))
        // The same seed and evaluation id ask the same clients.
        var again = try evaluation()
        #expect(requested(again.start(eligible: fleet.reversed(), now: t0)) == asked)

        #expect(try run.received(client: asked[0], classes: [0: Count(correct: 9, total: 10), 1: Count(correct: 1, total: 10)], now: t0).isEmpty)
        #expect(try run.received(client: asked[1], classes: [1: Count(correct: 30, total: 60)], tasks: ["t1": Count(correct: 30, total: 60)], now: t0).isEmpty)
        let done = try #require(summary(try run.received(client: asked[2], classes: [:], now: t0)))
        #expect(done.classes == [0: Count(correct: 9, total: 10), 1: Count(correct: 31, total: 70)])
        #expect(done.tasks == ["t1": Count(correct: 30, total: 60)])
        // 40 right of 80 over the three answers.
        #expect(done.accuracy == 0.5)
        #expect(done.clientsAnswered == 3)
        #expect(done.ending == "every asked client answered")
    }

    @Test func accuracyWeighsClientsByTheirExamplesNotEqually() throws {
        var run = try evaluation(sample: 2)
        let asked = requested(run.start(eligible: ["a", "b"], now: t0))
        _ = try run.received(client: "a", classes: [0: Count(correct: 90, total: 90)], now: t0)
        let done = try #require(summary(try run.received(client: "b", classes: [0: Count(correct: 0, total: 10)], now: t0)))
        #expect(Set(asked) == ["a", "b"])
        #expect(done.accuracy == 0.9)  // the mean of the two clients would be 0.5
    }

    @Test func refusesAnswersFromClientsNotAskedTwiceOrLate() throws {
        var run = try evaluation(sample: 2)
        let asked = requested(run.start(eligible: ["a", "b", "c"], now: t0))
        let outsider = try #require(Set(["a", "b", "c"]).subtracting(asked).first)
        #expect(throws: RoundError.self) { _ = try run.received(client: outsider, classes: [:], now: t0) }
        _ = try run.received(client: asked[0], classes: [0: Count(correct: 5, total: 20)], now: t0)
        #expect(throws: RoundError.self) { _ = try run.received(client: asked[0], classes: [:], now: t0) }
        #expect(run.tick(now: t0 + .seconds(29)).isEmpty)
        let done = try #require(summary(run.tick(now: t0 + .seconds(30))))
        #expect(done.shortfall == "1 of 2 asked clients answered; 2 needed")
        #expect(done.accuracy == nil)
        #expect(done.overall == Count(correct: 5, total: 20))
        #expect(done.ending == "timed out after 30.0 seconds with 1 client silent")
        #expect(throws: RoundError.self) { _ = try run.received(client: asked[1], classes: [:], now: t0) }
    }

    @Test func departuresEndItAndTooFewExamplesDoNotCount() throws {
        var run = try evaluation(sample: 3, minClients: 2, minExamples: 100)
        let asked = requested(run.start(eligible: ["a", "b", "c"], now: t0))
        _ = try run.received(client: asked[0], classes: [0: Count(correct: 10, total: 20)], now: t0)
        _ = try run.received(client: asked[1], classes: [1: Count(correct: 10, total: 20)], now: t0)
        let done = try #require(summary(run.clientLeft(asked[2])))
        #expect(done.ending == "1 asked client left")
        #expect(done.shortfall == "40 held-out examples over 2 clients; 100 needed")
        #expect(done.accuracy == nil)
    }

    @Test func tooFewEligibleClientsEndsAtOnceWithTheReason() throws {
        var run = try evaluation(sample: 3, minClients: 2)
        let done = try #require(summary(run.start(eligible: ["only"], now: t0)))
        #expect(done.shortfall == "0 of 1 asked clients answered; 2 needed")
        #expect(done.ending == "only 1 eligible client can evaluate; 2 needed")
    }

    @Test func aConfigurationOutOfRangeIsRefusedByValue() {
        #expect(throws: RoundError.self) { try EvaluationConfiguration(sampleSize: 0) }
        do {
            _ = try EvaluationConfiguration(sampleSize: 3, minimumClients: 4)
            Issue.record("accepted")
        } catch {
            #expect("\(error)".contains("evaluation.min_clients must be in 1...sample_size (3), got 4"))
        }
    }
}
