/// One round: who was offered it and which updates were accepted.
public struct Round: Sendable, Equatable {
    public var id: UInt64
    /// The global model version the round trains from.
    public var baseVersion: UInt64
    public var selected: [String]
    /// Accepted updates: client id → examples it trained on.
    public var accepted: [String: Int]
    public var startedAt: ContinuousClock.Instant
    public var deadline: ContinuousClock.Instant

    public init(
        id: UInt64, baseVersion: UInt64, selected: [String], accepted: [String: Int] = [:],
        startedAt: ContinuousClock.Instant, deadline: ContinuousClock.Instant
    ) {
        self.id = id
        self.baseVersion = baseVersion
        self.selected = selected
        self.accepted = accepted
        self.startedAt = startedAt
        self.deadline = deadline
    }

    public var acceptedExamples: Int { accepted.values.reduce(0, +) }
}

/// What the coordinator's shell must do for the round logic.
public enum RoundAction: Sendable, Equatable {
    /// Send a RoundOffer for `round` to each selected client; journal the round as collecting.
    case offer(Round)
    /// The round has enough updates: finish aggregating, evaluate, commit, release, then call
    /// `roundFinished`. Journal it as aggregating.
    case close(Round)
    /// The round failed (quorum not met by the deadline, or a restart with partial sums): keep the
    /// current model, discard the round's sums, journal it as abandoned.
    case abandon(Round, reason: String)
    /// Call `tick` at this instant (a deadline or a scheduled start).
    case wakeUp(at: ContinuousClock.Instant)
}
