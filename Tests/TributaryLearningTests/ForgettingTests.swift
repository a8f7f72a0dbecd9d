import Testing
import TributaryLearning

@Suite struct ForgettingTests {
    @Test func onlineEWCDecaysAndAccumulatesSeparateKeepsTerms() {
        var online = EWCState()
        online.consolidate(fisher: [1, 2], anchor: [0, 0], mode: .online(gamma: 0.5))
        online.consolidate(fisher: [4, 0], anchor: [1, 1], mode: .online(gamma: 0.5))
        #expect(online.terms == [EWCState.Term(fisher: [4.5, 1], anchor: [1, 1])])
        #expect(online.consolidations == 2)
        var separate = EWCState()
        separate.consolidate(fisher: [1, 2], anchor: [0, 0], mode: .separate)
        separate.consolidate(fisher: [4, 0], anchor: [1, 1], mode: .separate)
        #expect(separate.terms.count == 2)
        // λ/2 Σ F (θ − θ*)² at θ = [2, 2], λ = 2: term 1: 1·4 + 2·4 = 12; term 2: 4·1 = 4.
        #expect(separate.penalty(at: [2, 2], lambda: 2) == 16)
    }

    @Test func combinedQuadraticHasTheGradientOfTheSumOfTerms() {
        var state = EWCState()
        state.consolidate(fisher: [1, 2, 0], anchor: [0, 1, 5], mode: .separate)
        state.consolidate(fisher: [3, 0, 0], anchor: [2, 0, 5], mode: .separate)
        let penalty = QuadraticPenalty(parameterCount: 3, ewc: state, lambda: 0.5, proximal: (mu: 0.25, reference: [1, 1, 1]))
        let theta: [Float] = [1.5, -1, 4]
        var gradient = [Float](repeating: 0, count: 3)
        theta.withUnsafeBufferPointer { t in gradient.withUnsafeMutableBufferPointer { penalty.addGradient(parameters: t, into: $0, curvatureCap: .infinity) } }
        var expected = [Float](repeating: 0, count: 3)
        for term in state.terms { for j in 0..<3 { expected[j] += 0.5 * term.fisher[j] * (theta[j] - term.anchor[j]) } }
        for j in 0..<3 { expected[j] += 0.25 * (theta[j] - 1) }
        for j in 0..<3 { #expect(abs(gradient[j] - expected[j]) < 1e-6) }
    }

    @Test func hugeLambdaStaysStableAndHoldsParametersAtTheAnchor() throws {
        let taskA = Fixtures.blobs(count: 200, seed: 1)
        let taskB = Fixtures.blobs(count: 200, seed: 2).filter(classes: [2])
        let plan = TrainingPlan(epochs: 3, batchSize: 16, ewc: EWCConfiguration(lambda: 1e7))
        let fresh = try Checkpoint.fresh(spec: Fixtures.spec(), seed: 3, optimizer: .sgd(SGD(learningRate: 0.5)), plan: plan)
        let afterA = try IncrementalJob(plan: plan).run(from: fresh, data: taskA).candidate
        // lr · λ · max F is far above 2: an uncapped explicit step would diverge.
        let maxFisher = afterA.ewc.terms[0].fisher.max()!
        #expect(0.5 * 1e7 * maxFisher > 2)
        let afterB = try IncrementalJob(plan: plan).run(from: afterA, data: taskB)
        let finite = afterB.candidate.parameters.allSatisfy { $0.isFinite }
        #expect(finite)
        let important = afterA.ewc.terms[0].fisher.indices.filter { afterA.ewc.terms[0].fisher[$0] > maxFisher * 0.01 }
        let largestMove = important.map { abs(afterB.candidate.parameters[$0] - afterA.parameters[$0]) }.max()!
        #expect(largestMove < 0.1)
        // Task A's accuracy survives training on a single other class.
        let before = Evaluation.accuracy(try afterA.model(), on: taskA)
        let after = Evaluation.accuracy(try afterB.candidate.model(), on: taskA)
        #expect(after > before - 0.1)
    }

    @Test func fedProxKeepsTheUpdateNearItsStart() throws {
        let data = Fixtures.blobs(count: 100, seed: 4)
        let start = try Checkpoint.fresh(spec: Fixtures.spec(), seed: 1, optimizer: .sgd(SGD(learningRate: 0.1)))
        let free = try IncrementalJob(plan: TrainingPlan(epochs: 3, batchSize: 10)).run(from: start, data: data)
        let proximal = try IncrementalJob(plan: TrainingPlan(epochs: 3, batchSize: 10, proximalMu: 5)).run(from: start, data: data)
        #expect(proximal.report.parameterDeltaNorm < free.report.parameterDeltaNorm * 0.5)
    }

    @Test func gradientClippingBoundsTheStep() throws {
        let data = Fixtures.blobs(count: 50, seed: 4)
        let start = try Checkpoint.fresh(spec: Fixtures.spec(), seed: 1, optimizer: .sgd(SGD(learningRate: 1)))
        let clipped = try IncrementalJob(plan: TrainingPlan(epochs: 1, batchSize: 50, gradientClipNorm: 0.01)).run(from: start, data: data)
        // One step of lr 1 with ‖g‖ ≤ 0.01 moves θ by at most 0.01.
        #expect(clipped.report.steps == 1)
        #expect(clipped.report.parameterDeltaNorm <= 0.0101)
    }
}
