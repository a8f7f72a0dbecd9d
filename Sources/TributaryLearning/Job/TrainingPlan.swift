/// How one incremental job trains: the knobs a coordinator's RoundOffer or the CLI sets.
public struct TrainingPlan: Sendable, Codable, Equatable, Hashable {
    public var epochs: Int
    public var batchSize: Int
    /// Replay examples concatenated to each new minibatch (nil: the batch size).
    public var replayBatchSize: Int?
    /// Overrides the optimizer's learning rate for this job (nil: keep it).
    public var learningRate: Float?
    /// EWC penalty and consolidation (nil: neither).
    public var ewc: EWCConfiguration?
    /// FedProx proximal strength μ in μ/2‖θ − θ_start‖² (0: off).
    public var proximalMu: Float
    /// Global gradient-norm clipping threshold (nil: no clipping).
    public var gradientClipNorm: Float?
    /// Per-task logit masking: train softmax only over these classes (plus the classes held
    /// in the replay buffer). nil: all outputs.
    public var activeClasses: [Int32]?
    /// Layers whose parameters stay fixed, by name (`dense1`).
    public var frozenLayers: [String]
    /// Offer the new examples to the replay buffer after the job. A federated client training on
    /// the same local data over several rounds stores it once.
    public var storeInReplay: Bool
    /// Seen-class masking: the softmax covers only the classes this job has seen (its new
    /// examples' labels and the replay buffer's), so the classes of later tasks are not pushed
    /// down before their first example arrives (the bias of a shared head against new classes).
    public var maskUnseenClasses: Bool

    public init(
        epochs: Int = 1, batchSize: Int = 32, replayBatchSize: Int? = nil, learningRate: Float? = nil,
        ewc: EWCConfiguration? = nil, proximalMu: Float = 0, gradientClipNorm: Float? = nil,
        activeClasses: [Int32]? = nil, frozenLayers: [String] = [], storeInReplay: Bool = true,
        maskUnseenClasses: Bool = false
    ) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.replayBatchSize = replayBatchSize
        self.learningRate = learningRate
        self.ewc = ewc
        self.proximalMu = proximalMu
        self.gradientClipNorm = gradientClipNorm
        self.activeClasses = activeClasses
        self.frozenLayers = frozenLayers
        self.storeInReplay = storeInReplay
        self.maskUnseenClasses = maskUnseenClasses
    }

    /// Checks every setting; the error names the setting and its value.
    public func validate(for spec: ModelSpec) throws {
        guard epochs >= 1 else { throw LearningError(.invalidConfiguration, "plan: epochs must be ≥ 1, got \(epochs)") }
        guard batchSize >= 1 else { throw LearningError(.invalidConfiguration, "plan: batch size must be ≥ 1, got \(batchSize)") }
        if let replayBatchSize, replayBatchSize < 0 {
            throw LearningError(.invalidConfiguration, "plan: replay batch size must be ≥ 0, got \(replayBatchSize)")
        }
        if let learningRate, !(learningRate > 0 && learningRate.isFinite) {
            throw LearningError(.invalidConfiguration, "plan: learning rate must be positive, got \(learningRate)")
        }
        try ewc?.validate()
        guard proximalMu >= 0, proximalMu.isFinite else {
            throw LearningError(.invalidConfiguration, "plan: FedProx mu must be ≥ 0, got \(proximalMu)")
        }
        if let clip = gradientClipNorm, !(clip > 0) {
            throw LearningError(.invalidConfiguration, "plan: gradient clip norm must be positive, got \(clip)")
        }
        if let bad = activeClasses?.first(where: { $0 < 0 || Int($0) >= spec.outputSize }) {
            throw LearningError(.invalidConfiguration, "plan: active class \(bad) is outside the model's outputs 0..<\(spec.outputSize)")
        }
        if let bad = frozenLayers.first(where: { !spec.layerNames.contains($0) }) {
            throw LearningError(.invalidConfiguration, "plan: cannot freeze '\(bad)': the model's layers are \(spec.layerNames.joined(separator: ", "))")
        }
    }
}
