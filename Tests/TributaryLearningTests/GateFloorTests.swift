import Testing
@testable import TributaryLearning

/// The gate's absolute floor: a candidate must beat chance, whatever its parent did.
@Suite struct GateFloorTests {
    let gate = PromotionGate()

    @Test func aCandidateAtChanceIsRefusedEvenWhenNothingDropped() {
        // Three balanced classes: chance is 33.3%. The raw-scale fleet of issue 12 stayed at 32.3%.
        let stuck = PromotionGate.TaskEvaluation(name: "sensor", parentAccuracy: 0.323, candidateAccuracy: 0.323, stability: 1, chance: 0.334)
        #expect(gate.decide(tasks: [stuck]).reasons == ["sensor accuracy 32.3 is not above the majority-class rate 33.4 by more than the 5.0 points required"])
        let learnt = PromotionGate.TaskEvaluation(name: "sensor", parentAccuracy: 0.323, candidateAccuracy: 0.9, stability: 0.5, chance: 0.334)
        #expect(gate.decide(tasks: [learnt]).promote)
        // Within the margin is not enough; off, only a figure above chance itself is.
        let barely = PromotionGate.TaskEvaluation(name: "sensor", parentAccuracy: 0.3, candidateAccuracy: 0.36, stability: 1, chance: 0.334)
        #expect(!gate.decide(tasks: [barely]).promote)
        #expect(PromotionGate(chanceMargin: nil).decide(tasks: [barely]).promote)
    }

    @Test func theNewestSetIsJudgedElseTheBestOne() {
        // A continual fleet: the later task's set is unlearnt, the current one is learnt.
        let old = PromotionGate.TaskEvaluation(name: "task 0", parentAccuracy: 0.95, candidateAccuracy: 0.95, stability: 1, chance: 0.5)
        let later = PromotionGate.TaskEvaluation(name: "task 1", parentAccuracy: 0, candidateAccuracy: 0, stability: 1, chance: 0.5)
        #expect(gate.decide(tasks: [old, later]).promote)
        var newest = later
        newest.isNewest = true
        #expect(gate.decide(tasks: [old, newest]).reasons == ["task 1 accuracy 0.0 is not above the majority-class rate 50.0 by more than the 5.0 points required"])
    }

    @Test func theAbsoluteFloorNamesItsFigure() {
        let floor = PromotionGate(minimumAccuracy: 0.8)
        let task = PromotionGate.TaskEvaluation(name: "held", parentAccuracy: 0.7, candidateAccuracy: 0.75, stability: 1, chance: 0.5)
        #expect(floor.decide(tasks: [task]).reasons == ["held accuracy 75.0 is below the floor 80.0"])
    }

    @Test func withNoHeldOutSetTheClientsAreJudgedAgainstOneOverTheClasses() {
        let refused = gate.decide(tasks: [], clientAccuracy: (0.30, 0.33), classCount: 3)
        #expect(refused.reasons == ["clients' reported accuracy 33.0 is not above chance 33.3 (1/3 classes) by more than the 5.0 points required"])
        #expect(gate.decide(tasks: [], clientAccuracy: (0.30, 0.60), classCount: 3).promote)
        // Nothing to judge: no floor.
        #expect(gate.decide(tasks: []).promote)
    }

    @Test func aRegressionCandidateMustBeatPredictingTheMeanAndNotRiseTooFar() {
        // chance: RMSE of predicting the set's mean (its targets' standard deviation).
        let good = PromotionGate.TaskEvaluation(name: "glucose", parentAccuracy: 0, candidateAccuracy: 0, stability: 1, chance: 1.2,
                                                parentError: 1.0, candidateError: 0.6)
        #expect(gate.decide(tasks: [good]).promote)
        var flat = good
        flat.candidateError = 1.19
        flat.parentError = 1.19
        #expect(gate.decide(tasks: [flat]).reasons == ["glucose RMSE 1.19 is not below predicting the set's mean (RMSE 1.2) by the 5.0% required (at most 1.14)"])
        var worse = good
        worse.candidateError = 0.7
        worse.parentError = 0.6
        #expect(gate.decide(tasks: [worse]).reasons == ["glucose RMSE rose from 0.6 to 0.7, more than the 5.0% allowed"])
        #expect(PromotionGate(maximumError: 0.5).decide(tasks: [good]).reasons == ["glucose RMSE 0.6 is above the floor's maximum 0.5"])
        // The clients' reports: pooled RMSE before/after and of their data's mean.
        let clients = PromotionGate.ClientError(parent: 1.0, candidate: 1.1, constant: 1.1)
        #expect(gate.decide(tasks: [], clientError: clients).reasons == [
            "clients' reported RMSE rose from 1 to 1.1, more than the 5.0% allowed",
            "clients' reported RMSE 1.1 is not below predicting their data's mean (RMSE 1.1) by the 5.0% required (at most 1.045)",
        ])
    }

    @Test func evaluationGivesChanceAndRegressionErrors() throws {
        var generator = SeededGenerator(seed: 2)
        let classifier = try Sequential(spec: Fixtures.spec(), generator: &generator)
        let blobs = Fixtures.blobs(count: 60)
        let evaluation = PromotionGate.evaluate(parent: classifier, candidate: classifier, on: [("b", blobs)])[0]
        #expect(evaluation.chance == Evaluation.majorityRate(on: blobs) && evaluation.candidateError == nil)

        let regressor = try Sequential(spec: Fixtures.spec(classes: 1, loss: .meanSquaredError), generator: &generator)
        let data = Dataset(featureCount: 6, features: blobs.features, targets: (0..<blobs.count).map { Float($0 % 7) + 0.5 })
        let result = Evaluation.evaluate(regressor, on: data)
        let rmse = try #require(result.rootMeanSquaredError), mae = try #require(result.meanAbsoluteError)
        #expect(rmse >= mae && mae > 0)
        let judged = PromotionGate.evaluate(parent: regressor, candidate: regressor, on: [("r", data)])[0]
        #expect(judged.candidateError == rmse && abs(judged.chance - Evaluation.constantPredictorRMSE(on: data)) < 1e-12)
        #expect(abs(Evaluation.constantPredictorRMSE(on: data) - 1.989) < 0.001)
    }
}
