import Testing
import TributaryEdge
import TributaryLearning
import TributaryModelWire
import TributaryWire

@Suite struct EdgeTrainerTests {
    func data() -> Dataset {
        var generator = SeededGenerator(seed: 3)
        var data = Dataset(featureCount: 4)
        for _ in 0..<40 {
            let x = (0..<4).map { _ in generator.nextGaussian() }
            data.append(features: x, label: x[0] > x[1] ? 1 : 0)
        }
        return data
    }

    func offer(spec: ModelSpec, ewc: Bool) throws -> RoundOffer {
        let global = try Checkpoint.fresh(spec: spec, seed: 5)
        let layout = spec.parameterLayout
        let parameters = try LearningWire.parameterSet(global.parameters, layout: layout)
        let ewcState = ewc
            ? EWCStateMessage(
                fisher: try LearningWire.parameterSet([Float](repeating: 0.5, count: layout.totalCount), layout: layout),
                anchor: parameters, gamma: 1)
            : nil
        return RoundOffer(
            roundID: 1, baseModelVersion: 1, model: .full(parameters), ewc: ewcState,
            plan: TrainingPlanMessage(epochs: 2, batchSize: 8, learningRate: 0.1, ewcLambda: 1, fedProxMu: 0, replaySize: 0, deadlineUnixMilliseconds: 0),
            architecture: LearningWire.architecture(spec))
    }

    @Test func buildsTheOfferedArchitectureAndSendsItsFisher() throws {
        let spec = try ModelSpec.mlp(input: 4, hidden: [6], outputs: 2, activation: .tanh)
        let outcome = try EdgeTrainer(local: nil, data: data()).answer(try offer(spec: spec, ewc: true))
        #expect(outcome.candidate.spec == spec)
        #expect(outcome.update.fisher != nil)
        #expect(outcome.update.numExamples == 40)
        #expect(outcome.update.delta.scalarCount == spec.parameterLayout.totalCount)
        #expect(outcome.report.ewcPenalty > 0)
    }

    @Test func anOfferThatSkipsTheFisherGetsAnUpdateWithout() throws {
        let spec = try ModelSpec.mlp(input: 4, hidden: [6], outputs: 2, activation: .tanh)
        var offer = try offer(spec: spec, ewc: false)
        offer.plan.ewcLambda = 0
        offer.plan.skipFisher = true
        let outcome = try EdgeTrainer(local: nil, data: data()).answer(offer)
        #expect(outcome.update.fisher == nil)
        #expect(outcome.update.delta.scalarCount == spec.parameterLayout.totalCount)
        #expect(outcome.report.fisherMean == 0 && outcome.report.fisherMax == 0)
    }

    @Test func retiredExamplesJoinTheReplayBufferAndTheWindowDoesNot() throws {
        let spec = try ModelSpec.mlp(input: 4, hidden: [6], outputs: 2, activation: .tanh)
        let replay = ReplayConfiguration(capacity: 100)
        let window = data()
        let retired = window.subset(0..<5)
        var offer = try offer(spec: spec, ewc: false)
        offer.plan.replaySize = 4
        let outcome = try EdgeTrainer(local: nil, data: window, retired: retired, replay: replay).answer(offer)
        #expect(outcome.keep.replay.examples == retired)
        #expect(outcome.report.replayedExamples > 0)
        // A one-off job (nothing retired) stores its data after training, as IncrementalJob does.
        let oneOff = try EdgeTrainer(local: nil, data: window, replay: replay).answer(offer)
        #expect(oneOff.keep.replay.examples == window)
        #expect(oneOff.report.replayedExamples == 0)
    }

    @Test func architectureMapsBothWays() throws {
        for activation in Activation.allCases {
            for loss in [Loss.softmaxCrossEntropy, .meanSquaredError] {
                let spec = try ModelSpec.mlp(input: 3, hidden: [5, 4], outputs: 2, activation: activation, loss: loss)
                #expect(try LearningWire.spec(LearningWire.architecture(spec)) == spec)
            }
        }
    }
}
