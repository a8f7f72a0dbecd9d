#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
import Darwin
#endif
import TributaryNumerics

/// One incremental learning job: θ_t = Update(θ_{t−1}, D_t).
///
/// It starts from a checkpoint, trains on only the new batch (mixed with replayed past
/// examples, under the EWC penalty of past tasks and an optional FedProx term), measures the
/// new data's Fisher and consolidates it, stores the new examples in the replay buffer, and
/// returns a candidate checkpoint with a report. It touches no files: saving is the caller's.
/// Given the same checkpoint, data and plan it returns the same candidate, bit for bit.
public struct IncrementalJob: Sendable {
    public var plan: TrainingPlan

    public init(plan: TrainingPlan) {
        self.plan = plan
    }

    /// Runs the job. `globalEWC`, when given, replaces the checkpoint's own EWC state as the
    /// penalty (a federation's shared importance, which the coordinator consolidates: the local
    /// state is then left as it was and the new Fisher is only returned); `heldOut` adds a
    /// held-out evaluation.
    public func run(
        from parent: Checkpoint, data: Dataset, heldOut: Dataset? = nil, globalEWC: EWCState? = nil,
        progress: ((JobProgress) -> Void)? = nil
    ) throws -> JobResult {
        try parent.validate()
        try plan.validate(for: parent.spec)
        guard !data.isEmpty else { throw LearningError(.emptyData, "the new data batch has no examples") }
        try data.validate(against: parent.spec)
        if data.isRegression, parent.replay.configuration.capacity > 0 {
            throw LearningError(.invalidConfiguration, "the checkpoint's replay buffer holds \(parent.replay.configuration.capacity) examples with class labels; it cannot keep regression targets yet, so a regression job needs a replay capacity of 0")
        }
        if let heldOut { try heldOut.validate(against: parent.spec) }
        try globalEWC?.validate(parameterCount: parent.parameters.count)

        var optimizerConfiguration = parent.optimizer
        if let lr = plan.learningRate { optimizerConfiguration.learningRate = lr }
        let optimizer = try optimizerConfiguration.makeOptimizer()
        let parentModel = try parent.model()
        var generator = parent.generator
        let pastData = parent.replay.examples

        let ewcState = globalEWC ?? parent.ewc
        let penalty = QuadraticPenalty(
            parameterCount: parent.parameters.count, ewc: ewcState, lambda: plan.ewc?.lambda ?? 0,
            proximal: plan.proximalMu > 0 ? (plan.proximalMu, parent.parameters) : nil)

        let started = Self.now()
        var trainer = Trainer(
            model: parentModel, optimizer: optimizer, optimizerState: parent.optimizerState, penalty: penalty, plan: plan,
            replayClasses: Set(pastData.labels), dataClasses: Set(data.labels))
        let training = try trainer.train(data: data, replay: parent.replay, generator: &generator, progress: progress)
        let candidateModel = trainer.model
        let trainingSeconds = Self.now() - started

        var ewc = parent.ewc
        var fisherMean = 0.0, fisherMax = 0.0
        var newFisher: [Float]?
        let fisherStarted = Self.now()
        if let configuration = plan.ewc {
            var fisherData = data
            if let limit = configuration.fisherSampleLimit, limit < data.count { fisherData = data.subset(0..<limit) }
            let fisher = configuration.estimator.estimate(model: candidateModel, data: fisherData, classMask: trainer.classMask)
            fisherMean = Double(fisher.withUnsafeBufferPointer { VectorMath.sum($0) }) / Double(max(fisher.count, 1))
            fisherMax = Double(fisher.max() ?? 0)
            if globalEWC == nil { ewc.consolidate(fisher: fisher, anchor: candidateModel.parameters, mode: configuration.mode) }
            newFisher = fisher
        }
        let fisherSeconds = Self.now() - fisherStarted

        var replay = parent.replay
        if plan.storeInReplay { replay.insert(data, generator: &generator) }

        let stabilitySet: Dataset = heldOut ?? { var union = data; union.append(contentsOf: pastData); return union }()
        let delta = candidateModel.parameterVector.subtracting(parentModel.parameterVector)
        let report = JobReport(
            examples: data.count, epochs: plan.epochs, steps: training.steps, replayedExamples: training.replayed,
            epochLosses: training.epochLosses,
            newDataBefore: Evaluation.evaluate(parentModel, on: data),
            newDataAfter: Evaluation.evaluate(candidateModel, on: data),
            pastDataBefore: pastData.isEmpty ? nil : Evaluation.evaluate(parentModel, on: pastData),
            pastDataAfter: pastData.isEmpty ? nil : Evaluation.evaluate(candidateModel, on: pastData),
            heldOutBefore: heldOut.map { Evaluation.evaluate(parentModel, on: $0) },
            heldOutAfter: heldOut.map { Evaluation.evaluate(candidateModel, on: $0) },
            stability: Evaluation.stability(parent: parentModel, candidate: candidateModel, on: stabilitySet),
            parameterDeltaNorm: Double(delta.norm),
            ewcPenalty: ewcState.penalty(at: candidateModel.parameters, lambda: plan.ewc?.lambda ?? 0),
            fisherMean: fisherMean, fisherMax: fisherMax,
            trainingSeconds: trainingSeconds, fisherSeconds: fisherSeconds)

        let candidate = try Checkpoint(
            spec: parent.spec, parameters: candidateModel.parameters, optimizer: parent.optimizer,
            optimizerState: trainer.optimizerState, ewc: ewc, replay: replay, generator: generator, plan: parent.plan,
            lineage: Lineage(
                parentDigest: try CheckpointCodec.digest(of: parent),
                examplesSeen: parent.lineage.examplesSeen + Int64(data.count),
                generation: parent.lineage.generation + 1),
            metadata: parent.metadata, preprocessing: parent.preprocessing)
        return JobResult(candidate: candidate, report: report, fisher: newFisher, delta: delta.storage)
    }

    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
