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

extension CoordinatorEngine {
    func status() -> CoordinatorStatus {
        CoordinatorStatus(
            liveVersion: live.version, population: links.count,
            eligible: machine.population.eligible(under: configuration.rounds).count,
            currentRound: machine.currentRound.map {
                .init(id: $0.id, state: machine.isCollecting ? "collecting" : "closing", baseVersion: $0.baseVersion,
                      selected: $0.selected.count, accepted: $0.accepted.count)
            },
            roundsEnded: roundsEnded)
    }
}
