/// How an evaluate round samples edges and when its answer counts.
public struct EvaluationConfiguration: Sendable, Equatable {
    /// Edges asked (chosen by a seeded shuffle of the eligible ones); > 0.
    public var sampleSize: Int
    /// Answers needed for the figure to count; in 1...sampleSize.
    public var minimumClients: Int
    /// Held-out examples needed over all answers; >= 1.
    public var minimumExamples: Int
    /// How long the coordinator waits for answers; > 0.
    public var timeout: Duration
    public var seed: UInt64

    public init(sampleSize: Int = 5, minimumClients: Int = 2, minimumExamples: Int = 50, timeout: Duration = .seconds(60),
                seed: UInt64 = 0) throws {
        self.sampleSize = sampleSize
        self.minimumClients = minimumClients
        self.minimumExamples = minimumExamples
        self.timeout = timeout
        self.seed = seed
        try validate()
    }

    func validate() throws {
        guard sampleSize > 0 else {
            throw RoundError(.invalidConfiguration, "evaluation.sample_size must be > 0, got \(sampleSize)")
        }
        guard (1...sampleSize).contains(minimumClients) else {
            throw RoundError(.invalidConfiguration,
                             "evaluation.min_clients must be in 1...sample_size (\(sampleSize)), got \(minimumClients)")
        }
        guard minimumExamples >= 1 else {
            throw RoundError(.invalidConfiguration, "evaluation.min_examples must be >= 1, got \(minimumExamples)")
        }
        guard timeout > .zero else {
            throw RoundError(.invalidConfiguration, "evaluation.timeout must be > 0, got \(timeout)")
        }
    }
}
