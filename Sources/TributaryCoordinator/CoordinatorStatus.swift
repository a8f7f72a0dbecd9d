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
}
