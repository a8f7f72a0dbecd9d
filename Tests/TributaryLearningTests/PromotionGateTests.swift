import Testing
import TributaryLearning

@Suite struct PromotionGateTests {
    let gate = PromotionGate(maxTaskDrop: 0.05, maxNewDataDrop: 0, minimumStability: 0.8, maxClientAccuracyDrop: 0.02)

    @Test func passesWhenNothingFallsTooFar() {
        let tasks = [
            PromotionGate.TaskEvaluation(name: "task 0", parentAccuracy: 0.95, candidateAccuracy: 0.92, stability: 0.9),
            PromotionGate.TaskEvaluation(name: "task 1", parentAccuracy: 0.40, candidateAccuracy: 0.90, stability: 0.85, isNewest: true),
        ]
        let decision = gate.decide(tasks: tasks, clientAccuracy: (0.8, 0.81))
        #expect(decision.promote && decision.reasons.isEmpty)
    }

    @Test func eachGateNamesWhatFailed() {
        let tasks = [
            PromotionGate.TaskEvaluation(name: "task 0", parentAccuracy: 0.95, candidateAccuracy: 0.85, stability: 0.7),
            PromotionGate.TaskEvaluation(name: "task 1", parentAccuracy: 0.90, candidateAccuracy: 0.89, stability: 0.95, isNewest: true),
        ]
        let decision = gate.decide(tasks: tasks, clientAccuracy: (0.8, 0.75))
        #expect(!decision.promote)
        #expect(decision.reasons == [
            "task 0: accuracy fell 10.0 points (95.0 → 85.0), more than the 5.0 allowed",
            "task 0: stability 70.0% is below the floor 80.0%",
            "task 1: accuracy fell 1.0 points (90.0 → 89.0), more than the 0.0 allowed",
            "clients' held-out accuracy fell from 80.0 to 75.0, more than 2.0 points",
        ])
    }

    @Test func evaluatesModelsOnNamedSets() throws {
        var generator = SeededGenerator(seed: 1)
        let model = try Sequential(spec: Fixtures.spec(), generator: &generator)
        let evaluations = PromotionGate.evaluate(parent: model, candidate: model, on: [("a", Fixtures.blobs(count: 30)), ("b", Fixtures.blobs(count: 30, seed: 2))], newest: "b")
        #expect(evaluations.map(\.stability) == [1, 1])
        #expect(evaluations.map(\.isNewest) == [false, true])
        #expect(gate.decide(tasks: evaluations).promote)
    }
}
