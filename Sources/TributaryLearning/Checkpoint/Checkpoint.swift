/// Everything an incremental job needs to resume: the model, its optimizer state, EWC state,
/// replay buffer, random generator and lineage, plus the default plan for the next job.
public struct Checkpoint: Sendable, Equatable {
    public var spec: ModelSpec
    public var parameters: [Float]
    public var optimizer: OptimizerConfiguration
    public var optimizerState: OptimizerState
    public var ewc: EWCState
    public var replay: ReplayBuffer
    public var generator: SeededGenerator
    /// The plan a job uses when it is given none.
    public var plan: TrainingPlan
    public var lineage: Lineage
    /// Free-form labels (for example the global model version an edge agent holds).
    public var metadata: [String: String]
    /// What the model expects of a raw record and how it becomes the model's input (identity
    /// when the checkpoint was made without one). The replay buffer holds inputs after it.
    public var preprocessing: Preprocessing

    public init(
        spec: ModelSpec, parameters: [Float], optimizer: OptimizerConfiguration, optimizerState: OptimizerState,
        ewc: EWCState, replay: ReplayBuffer, generator: SeededGenerator, plan: TrainingPlan,
        lineage: Lineage, metadata: [String: String] = [:], preprocessing: Preprocessing? = nil
    ) throws {
        self.spec = spec
        self.parameters = parameters
        self.optimizer = optimizer
        self.optimizerState = optimizerState
        self.ewc = ewc
        self.replay = replay
        self.generator = generator
        self.plan = plan
        self.lineage = lineage
        self.metadata = metadata
        self.preprocessing = preprocessing ?? .identity(featureCount: spec.inputSize)
        try validate()
    }

    /// A fresh checkpoint: a seeded initial model with empty optimizer, EWC and replay state.
    public static func fresh(
        spec: ModelSpec, seed: UInt64, optimizer: OptimizerConfiguration = .sgd(SGD(learningRate: 0.05)),
        replay: ReplayConfiguration = .disabled, plan: TrainingPlan = TrainingPlan(), preprocessing: Preprocessing? = nil
    ) throws -> Checkpoint {
        var generator = SeededGenerator(seed: seed)
        let model = try Sequential(spec: spec, generator: &generator)
        let optimizerImpl = try optimizer.makeOptimizer()
        try replay.validate()
        return try Checkpoint(
            spec: spec, parameters: model.parameters, optimizer: optimizer,
            optimizerState: optimizerImpl.newState(parameterCount: model.parameters.count),
            ewc: EWCState(), replay: ReplayBuffer(configuration: replay, featureCount: spec.inputSize),
            generator: generator, plan: plan, lineage: Lineage(), preprocessing: preprocessing)
    }

    /// The model these parameters describe.
    public func model() throws -> Sequential {
        try Sequential(spec: spec, parameters: parameters)
    }

    /// Checks that every part fits the model spec.
    public func validate() throws {
        try spec.validate()
        let count = spec.parameterLayout.totalCount
        guard parameters.count == count else {
            throw LearningError(.shapeMismatch, "checkpoint: \(parameters.count) parameters, the spec needs \(count)")
        }
        if let bad = parameters.firstIndex(where: { !$0.isFinite }) {
            throw LearningError(.nonFinite, "checkpoint: parameter \(bad) is \(parameters[bad])")
        }
        for (name, slot) in optimizerState.slots where slot.count != count {
            throw LearningError(.shapeMismatch, "checkpoint: optimizer slot '\(name)' has \(slot.count) values, expected \(count)")
        }
        try ewc.validate(parameterCount: count)
        guard replay.featureCount == spec.inputSize else {
            throw LearningError(.shapeMismatch, "checkpoint: replay buffer holds \(replay.featureCount) features, the model takes \(spec.inputSize)")
        }
        try plan.validate(for: spec)
        try preprocessing.validate()
        guard preprocessing.featureCount == spec.inputSize else {
            throw LearningError(.shapeMismatch, "checkpoint: preprocessing is for \(preprocessing.featureCount) features, the model takes \(spec.inputSize)")
        }
    }
}
