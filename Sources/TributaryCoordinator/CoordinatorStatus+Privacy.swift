extension CoordinatorStatus {
    /// The privacy budget as `GET /v1/status` (`tributary round status`) shows it.
    public struct Privacy: Sendable, Codable, Equatable {
        public var mode: String
        /// ε spent by the rounds released so far (every version's, restarts included), at `delta`.
        public var epsilonSpent: Double
        public var epsilonMax: Double
        public var delta: Double
        /// Rounds composed so far; z once known.
        public var rounds: Int
        public var noiseMultiplier: Double?
    }
}

extension PrivacyLedger {
    var status: CoordinatorStatus.Privacy {
        .init(mode: settings.mode.rawValue, epsilonSpent: spentEpsilon, epsilonMax: settings.epsilon, delta: settings.delta,
              rounds: accountant.rounds, noiseMultiplier: noiseMultiplier)
    }
}
