extension RoundSummary {
    /// What a round under differential privacy spent (`privacy.*` in its version's metrics).
    public struct PrivacySpent: Sendable, Equatable {
        /// ε after this round, at `delta`, and the budget ε_max.
        public var epsilon: Double
        public var delta: Double
        public var epsilonMax: Double
        /// z and q as the accountant composed them.
        public var noiseMultiplier: Double
        public var samplingRate: Double
    }
}

extension RoundPrivacy {
    var spent: RoundSummary.PrivacySpent {
        .init(epsilon: epsilonAfter, delta: settings.delta, epsilonMax: settings.epsilon, noiseMultiplier: noiseMultiplier, samplingRate: samplingRate)
    }
}
