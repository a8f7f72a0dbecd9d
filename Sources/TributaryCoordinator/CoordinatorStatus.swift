import TributaryRounds

/// What `GET /v1/status` answers (and ``Coordinator/status()`` returns).
public struct CoordinatorStatus: Sendable, Codable, Equatable {
    public struct CurrentRound: Sendable, Codable, Equatable {
        public var id: UInt64
        public var state: String
        public var baseVersion: UInt64
        public var selected: Int
        public var accepted: Int
    }

    /// The live version's accuracy on the devices, as the connected clients holding it last
    /// reported (Hello/Ready): feedback outcomes on their own served predictions.
    public struct LiveAccuracy: Sendable, Codable, Equatable {
        /// Clients holding the live version that reported any outcome.
        public var clients: Int
        public var outcomes: UInt64
        public var correct: UInt64
        /// correct / outcomes.
        public var accuracy: Double
    }

    public var liveVersion: UInt64
    /// Connected clients.
    public var population: Int
    /// Connected clients a round could select now.
    public var eligible: Int
    public var currentRound: CurrentRound?
    /// Rounds that ended (closed or abandoned) since this process started.
    public var roundsEnded: Int
    /// nil until a client holding the live version reports an outcome.
    public var liveAccuracy: LiveAccuracy? = nil
    /// Connected clients, by id.
    public var clients: [Client] = []
    /// The version served to a cohort before everyone, when one is.
    public var rollout: Rollout? = nil
    /// The differential-privacy budget (`privacy:`), when it is on.
    public var privacy: Privacy? = nil

    /// One connected client: what it holds and its live feedback on it.
    public struct Client: Sendable, Codable, Equatable {
        public var id: String
        /// The global version it holds (nil: none yet).
        public var holds: UInt64?
        public var ready: Bool
        /// "canary" or "control" during a rollout; nil otherwise.
        public var cohort: String?
        /// The version its last live report was about, and that report's cumulative counts.
        public var liveVersion: UInt64
        public var liveOutcomes: UInt64
        public var liveCorrect: UInt64
    }

    /// A rollout in flight and its live comparison.
    public struct Rollout: Sendable, Codable, Equatable {
        public struct Arm: Sendable, Codable, Equatable {
            public var outcomes: UInt64
            public var correct: UInt64
            public var accuracy: Double?
            init(_ outcomes: ArmOutcomes) {
                self.outcomes = outcomes.outcomes
                correct = outcomes.correct
                accuracy = outcomes.accuracy
            }
        }

        public var version: UInt64
        public var baseVersion: UInt64
        /// "canary" or "ab".
        public var policy: String
        /// "watching" (the window or the outcomes are not there yet) or "settling" (being promoted or rolled back).
        public var state: String
        /// Unix seconds.
        public var startedAt: Double
        /// Connected clients in the cohort.
        public var cohort: [String]
        public var canary: Arm
        /// Outcomes of the other clients on the live version since the rollout started.
        public var control: Arm
        /// What the decision waits for, while it waits.
        public var waiting: String?
        public var z: Double
        public var pValue: Double
        public var alpha: Double
        public var minEffect: Double
    }
}
