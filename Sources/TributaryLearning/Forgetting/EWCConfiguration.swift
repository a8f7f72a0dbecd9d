/// Elastic Weight Consolidation settings (Kirkpatrick et al. 2017; online form: Schwarz et al. 2018).
public struct EWCConfiguration: Sendable, Codable, Equatable, Hashable {
    /// How past tasks' importance is kept.
    public enum Mode: Sendable, Codable, Equatable, Hashable {
        /// One penalty per past task, each with its own Fisher and anchor.
        case separate
        /// One running Fisher, F ← γF + F_new, anchored at the parameters after the last task.
        case online(gamma: Float)
    }

    /// Penalty strength λ in λ/2 · Σⱼ Fⱼ (θⱼ − θ*ⱼ)².
    public var lambda: Float
    public var mode: Mode
    public var estimator: FisherEstimator
    /// Most examples of a batch used to estimate the Fisher (nil: all of them).
    public var fisherSampleLimit: Int?

    public init(lambda: Float, mode: Mode = .online(gamma: 1), estimator: FisherEstimator = .empirical, fisherSampleLimit: Int? = nil) {
        self.lambda = lambda
        self.mode = mode
        self.estimator = estimator
        self.fisherSampleLimit = fisherSampleLimit
    }

    public func validate() throws {
        guard lambda >= 0, lambda.isFinite else {
            throw LearningError(.invalidConfiguration, "ewc: lambda must be ≥ 0 and finite, got \(lambda)")
        }
        if case .online(let gamma) = mode, !(0...1).contains(gamma) {
            throw LearningError(.invalidConfiguration, "ewc: online gamma must be in [0, 1], got \(gamma)")
        }
        if case .perBatch(let size) = estimator, size <= 0 {
            throw LearningError(.invalidConfiguration, "ewc: per-batch Fisher batch size must be positive, got \(size)")
        }
        if let limit = fisherSampleLimit, limit <= 0 {
            throw LearningError(.invalidConfiguration, "ewc: Fisher sample limit must be positive, got \(limit)")
        }
    }
}
