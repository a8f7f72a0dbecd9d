import Testing
@testable import TributaryLearning

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
        // Nothing dropped, but an untrained model is not above chance on the newest set: the floor refuses it.
        #expect(gate.decide(tasks: evaluations).reasons == ["b accuracy 20.0 is not above the majority-class rate 36.7 by more than the 5.0 points required"])
    }

    @Test func refusesANonFiniteOrExplodedCandidateWithNoHeldOutSet() {
        let layout = ParameterLayout([(name: "dense1.weight", shape: [2, 2]), (name: "dense1.bias", shape: [2])])
        let parent: [Float] = [3, 0, 0, 4, 0, 0]  // norm 5
        var broken = parent
        broken[5] = .nan
        let nan = gate.decide(tasks: [], parameters: (parent, broken, layout))
        #expect(!nan.promote && nan.reasons == ["candidate parameter dense1.bias[1] is nan; every parameter must be finite"])

        let exploded = gate.decide(tasks: [], parameters: (parent, [30, 0, 0, 40, 0, 1e19], layout))
        #expect(!exploded.promote)
        #expect(exploded.reasons == ["candidate parameter norm is 1e+19, 2e+18 times its parent's 5; at most 10.0 times is allowed"])

        // Ten times the parent's norm is allowed; a parent near zero is measured as 1.
        #expect(gate.decide(tasks: [], parameters: (parent, [30, 0, 0, 40, 0, 0], layout)).promote)
        #expect(gate.decide(tasks: [], parameters: ([0, 0, 0, 0, 0, 0], [6, 0, 0, 8, 0, 0], layout)).promote)
        #expect(!gate.decide(tasks: [], parameters: ([0, 0, 0, 0, 0, 0], [6, 0, 0, 8, 0, 1], layout)).promote)
    }
}
