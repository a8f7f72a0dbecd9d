import TributaryNumerics

/// The inner training loop: minibatches of new data concatenated with replay minibatches,
/// data-loss gradient plus the quadratic penalty, clipping, frozen layers, one optimizer step.
struct Trainer {
    var model: Sequential
    let optimizer: any Optimizer
    var optimizerState: OptimizerState
    let penalty: QuadraticPenalty
    let plan: TrainingPlan
    let trainableRanges: [Range<Int>]
    let classMask: [Bool]?

    init(model: Sequential, optimizer: any Optimizer, optimizerState: OptimizerState, penalty: QuadraticPenalty, plan: TrainingPlan,
         replayClasses: Set<Int32>, dataClasses: Set<Int32> = []) {
        self.model = model
        self.optimizer = optimizer
        self.optimizerState = optimizerState
        self.penalty = penalty
        self.plan = plan
        let frozen = Set(plan.frozenLayers.flatMap { ["\($0).weight", "\($0).bias"] })
        self.trainableRanges = model.layout.entries.filter { !frozen.contains($0.name) }.map(\.range)
        self.classMask = Self.classMask(plan: plan, outputs: model.spec.outputSize, replayClasses: replayClasses, dataClasses: dataClasses)
    }

    /// Trains `plan.epochs` epochs over `data`, replaying from `replay`; returns mean loss per
    /// epoch and the number of replayed examples.
    mutating func train(
        data: Dataset, replay: ReplayBuffer, generator: inout SeededGenerator, progress: ((JobProgress) -> Void)?
    ) throws -> (epochLosses: [Double], steps: Int, replayed: Int) {
        let batchSize = min(plan.batchSize, data.count)
        let replayBatch = replay.isEmpty ? 0 : min(plan.replayBatchSize ?? plan.batchSize, replay.count)
        let workspace = Workspace(spec: model.spec, capacity: batchSize + replayBatch)
        var gradient = [Float](repeating: 0, count: model.parameters.count)
        let stepsPerEpoch = (data.count + batchSize - 1) / batchSize
        let curvatureCap = optimizer.stableCurvature
        let hasPenalty = !penalty.isZero
        var order = Array(0..<data.count)
        var epochLosses: [Double] = []
        var steps = 0, replayed = 0
        for epoch in 0..<plan.epochs {
            for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, generator.nextInt(below: i + 1)) }
            var lossSum = 0.0, lossCount = 0
            for step in 0..<stepsPerEpoch {
                let batch = order[(step * batchSize)..<min((step + 1) * batchSize, data.count)]
                workspace.load(data, indices: batch)
                if replayBatch > 0 {
                    let picks = replay.sample(replayBatch, generator: &generator)
                    workspace.load(replay.examples, indices: picks, startingAt: batch.count)
                    replayed += picks.count
                }
                model.forward(workspace)
                let loss = model.spec.loss.evaluate(workspace, classMask: classMask, gradientScale: 1 / Float(workspace.rows))
                lossSum += loss.total
                lossCount += workspace.rows
                gradient.withUnsafeMutableBufferPointer { g in
                    model.backward(workspace, into: g, mode: .gradient)
                    if hasPenalty {
                        model.parameters.withUnsafeBufferPointer { penalty.addGradient(parameters: $0, into: g, curvatureCap: curvatureCap) }
                    }
                    if let clip = plan.gradientClipNorm { Self.clip(g, ranges: trainableRanges, to: clip) }
                    // Move the state out and back so its slots stay uniquely referenced (no copy per step).
                    var state = OptimizerState()
                    swap(&state, &optimizerState)
                    let optimizer = self.optimizer, ranges = trainableRanges
                    model.withParameters { theta in
                        optimizer.apply(gradient: UnsafeBufferPointer(g), to: theta, state: &state, ranges: ranges)
                    }
                    swap(&state, &optimizerState)
                }
                steps += 1
                progress?(JobProgress(epoch: epoch + 1, epochs: plan.epochs, step: step + 1, stepsPerEpoch: stepsPerEpoch, meanLoss: lossSum / Double(lossCount)))
            }
            let meanLoss = lossSum / Double(max(lossCount, 1))
            guard meanLoss.isFinite, model.parameterVector.isFinite else {
                throw LearningError(.nonFinite, "training diverged in epoch \(epoch + 1): loss \(meanLoss); lower the learning rate (\(optimizer.learningRate)) or λ")
            }
            epochLosses.append(meanLoss)
        }
        return (epochLosses, steps, replayed)
    }

    /// The classes the softmax covers (nil: all): the plan's active classes plus the replayed
    /// ones; with seen-class masking, only the classes of the new data and the replay buffer.
    static func classMask(plan: TrainingPlan, outputs: Int, replayClasses: Set<Int32>, dataClasses: Set<Int32>) -> [Bool]? {
        guard outputs > 1, plan.activeClasses != nil || plan.maskUnseenClasses else { return nil }
        var allowed = plan.activeClasses.map { Set($0).union(replayClasses) } ?? Set((0..<outputs).map(Int32.init))
        if plan.maskUnseenClasses { allowed.formIntersection(dataClasses.union(replayClasses)) }
        return (0..<outputs).map { allowed.contains(Int32($0)) }
    }

    /// Scales the gradient in `ranges` so its global L2 norm is at most `maxNorm`.
    static func clip(_ g: UnsafeMutableBufferPointer<Float>, ranges: [Range<Int>], to maxNorm: Float) {
        var squared: Float = 0
        for range in ranges { squared += VectorMath.sumOfSquares(UnsafeBufferPointer(rebasing: g[range])) }
        let norm = squared.squareRoot()
        guard norm > maxNorm else { return }
        let scale = maxNorm / norm
        for range in ranges { BLAS.scal(scale, UnsafeMutableBufferPointer(rebasing: g[range])) }
    }
}
