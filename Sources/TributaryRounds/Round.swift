/// One round: who was offered it and which updates were accepted.
public struct Round: Sendable, Equatable {
    public var id: UInt64
    /// The global model version the round trains from.
    public var baseVersion: UInt64
    public var selected: [String]
    /// Accepted updates: client id → examples it trained on.
    public var accepted: [String: Int]
    /// Updates accepted before a restart, by client: journaled but not in the (lost) sums. Each of
    /// these clients is offered the round again and must send the same update; it counts once.
    public var resend: [String: JournaledUpdate]
    public var startedAt: ContinuousClock.Instant
    public var deadline: ContinuousClock.Instant

    public init(
        id: UInt64, baseVersion: UInt64, selected: [String], accepted: [String: Int] = [:], resend: [String: JournaledUpdate] = [:],
        startedAt: ContinuousClock.Instant, deadline: ContinuousClock.Instant
    ) {
        self.id = id
        self.baseVersion = baseVersion
        self.selected = selected
        self.accepted = accepted
        self.resend = resend
        self.startedAt = startedAt
        self.deadline = deadline
    }

    public var acceptedExamples: Int { accepted.values.reduce(0, +) }
}

/// An update the journal holds for a round: what a resend after a restart must match.
public struct JournaledUpdate: Sendable, Equatable {
    public var examples: Int
    /// SHA-256 (hex) of the flat delta's bytes.
    public var digest: String

    public init(examples: Int, digest: String) {
        self.examples = examples
        self.digest = digest
    }
}

/// An update's round facts, as its sender claims them (checked by `RoundStateMachine.check`).
public struct UpdateFacts: Sendable, Equatable {
    public var client: String
    public var roundID: UInt64
    public var baseVersion: UInt64
    public var examples: Int

    public init(client: String, roundID: UInt64, baseVersion: UInt64, examples: Int) {
        self.client = client
        self.roundID = roundID
        self.baseVersion = baseVersion
        self.examples = examples
    }
}

/// What the coordinator's shell must do for the round logic.
public enum RoundAction: Sendable, Equatable {
    /// Send a RoundOffer for `round` to each selected client; journal the round as collecting.
    case offer(Round)
    /// The round has enough updates: finish aggregating, evaluate, commit, release, then call
    /// `roundFinished`. Journal it as aggregating.
    case close(Round)
    /// The round failed (quorum not met by the deadline, or a restart that left it unable to reach
    /// the quorum): keep the current model, discard the round's sums, journal it as abandoned.
    case abandon(Round, reason: String)
    /// Call `tick` at this instant (a deadline or a scheduled start).
    case wakeUp(at: ContinuousClock.Instant)
}
