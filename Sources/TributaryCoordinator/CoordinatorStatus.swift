/// What `GET /v1/status` answers (and ``Coordinator/status()`` returns).
public struct CoordinatorStatus: Sendable, Codable, Equatable {
    public struct CurrentRound: Sendable, Codable, Equatable {
        public var id: UInt64
        public var state: String
        public var baseVersion: UInt64
        public var selected: Int
        public var accepted: Int
    }

    public var liveVersion: UInt64
    /// Connected clients.
    public var population: Int
    /// Connected clients a round could select now.
    public var eligible: Int
    public var currentRound: CurrentRound?
    /// Rounds that ended (closed or abandoned) since this process started.
    public var roundsEnded: Int
}
