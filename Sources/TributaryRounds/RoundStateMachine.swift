import TributaryNumerics

/// The coordinator's round logic, apart from I/O: events in, actions out, clock injected.
///
/// A round starts when its trigger fires (enough ready clients, a schedule, or the operator),
/// offers itself to `selectionSize` eligible clients chosen by a seeded shuffle, accepts one
/// update per selected client until the target count or the deadline, then closes if the quorum is
/// met and is abandoned otherwise. Updates for another round, from unselected clients, twice from
/// one client, or trained from another version are refused with their own code. Every wait has a
/// deadline: the machine asks for a wake-up at each one. Every way out of a round (closed,
/// rejected, abandoned, failed to open or commit) returns to the trigger's decision; after a
/// failure of the coordinator itself the trigger waits `retryAfter` first.
public struct RoundStateMachine: Sendable {
    private enum State: Sendable, Equatable {
        case idle
        case collecting(Round)
        case closing(Round)
    }

    public let configuration: RoundConfiguration
    public private(set) var population = Population()
    /// The live global model version rounds train from.
    public private(set) var currentVersion: UInt64
    public private(set) var nextRoundID: UInt64
    private var state: State = .idle
    private var generator: SeededGenerator
    private var nextScheduledStart: ContinuousClock.Instant?
    /// Rounds that ended, and how (for refusing late updates with the right code).
    private var endedRounds: Set<UInt64> = []
    /// Selected clients of the current round that disconnected after it started (and have not
    /// come back). A restored round's clients are not in it: they are expected to reconnect.
    private var departed: Set<String> = []
    /// No round starts by trigger before this instant (set when opening or committing a round failed).
    private var holdOffUntil: ContinuousClock.Instant?

    public init(configuration: RoundConfiguration, currentVersion: UInt64, nextRoundID: UInt64 = 1, now: ContinuousClock.Instant) {
        self.configuration = configuration
        self.currentVersion = currentVersion
        self.nextRoundID = nextRoundID
        self.generator = SeededGenerator(seed: configuration.seed)
        if case .schedule = configuration.trigger { nextScheduledStart = now }
        for id in 1..<max(nextRoundID, 1) { endedRounds.insert(id) }
    }

    /// The round being collected or closed, if any.
    public var currentRound: Round? {
        switch state {
        case .idle: nil
        case .collecting(let round), .closing(let round): round
        }
    }

    public var isCollecting: Bool {
        if case .collecting = state { return true }
        return false
    }

    // MARK: Population events

    /// A client connected, or told us new facts (Hello, heartbeat, ready report).
    public mutating func clientUpdated(_ record: ClientRecord, now: ContinuousClock.Instant) -> [RoundAction] {
        population.upsert(record)
        departed.remove(record.id)
        return startIfTriggered(now: now)
    }

    public mutating func clientDisconnected(_ id: String, now: ContinuousClock.Instant) -> [RoundAction] {
        population.remove(id)
        guard case .collecting(let round) = state, round.selected.contains(id) else { return [] }
        departed.insert(id)
        return closeIfNoOneLeft(round, now: now)
    }

    // MARK: Round events

    /// The operator asked for a round now.
    public mutating func startRequested(now: ContinuousClock.Instant) throws -> [RoundAction] {
        guard case .idle = state else {
            throw RoundError(.roundInProgress, "round \(currentRound!.id) is still running; wait for it to close or be abandoned")
        }
        let eligible = population.eligible(under: configuration)
        guard eligible.count >= configuration.quorum else {
            throw RoundError(
                .notEnoughClients,
                "only \(eligible.count) eligible clients are connected (of \(population.count): eligible means ready to train, "
                    + "with enough examples, and charging and unmetered when required); the quorum is \(configuration.quorum)")
        }
        return start(eligible: eligible, now: now)
    }

    /// Time passed: deadlines and schedules.
    public mutating func tick(now: ContinuousClock.Instant) -> [RoundAction] {
        switch state {
        case .collecting(let round) where now >= round.deadline:
            return finishCollecting(round, now: now, reason: "deadline passed")
        case .idle:
            return startIfTriggered(now: now)
        default:
            return []
        }
    }

    /// An update arrived: ``check(_:)`` then ``accept(_:digest:now:)`` with no digest. For callers
    /// that fold nothing between the two (tests, simulations).
    public mutating func updateReceived(
        from client: String, roundID: UInt64, baseVersion: UInt64, examples: Int, now: ContinuousClock.Instant
    ) throws -> [RoundAction] {
        let facts = UpdateFacts(client: client, roundID: roundID, baseVersion: baseVersion, examples: examples)
        try check(facts)
        return try accept(facts, digest: nil, now: now).actions
    }

    /// The one place an update's round facts are judged: the round is collecting and is the one
    /// named, the client was selected and has not sent one, the base version is the round's and
    /// the example count is positive. Changes nothing; the shell checks the tensors after this.
    public func check(_ facts: UpdateFacts) throws {
        let (client, roundID) = (facts.client, facts.roundID)
        guard case .collecting(let round) = state, round.id == roundID else {
            if endedRounds.contains(roundID) || currentRound?.id == roundID {
                throw RoundError(.lateUpdate, "update from \(client) for round \(roundID) arrived after the round stopped collecting")
            }
            throw RoundError(.unknownRound, "update from \(client) names round \(roundID), which this coordinator has not offered")
        }
        guard round.selected.contains(client) else {
            throw RoundError(.notSelected, "update from \(client) for round \(roundID): the client was not offered this round")
        }
        guard round.accepted[client] == nil else {
            throw RoundError(.duplicateUpdate, "update from \(client) for round \(roundID): the client already sent one")
        }
        guard facts.baseVersion == round.baseVersion else {
            throw RoundError(
                .wrongBaseVersion,
                "update from \(client) for round \(roundID) was trained from version \(facts.baseVersion), the round's base is \(round.baseVersion)")
        }
        guard facts.examples > 0 else {
            throw RoundError(.emptyUpdate, "update from \(client) for round \(roundID) claims \(facts.examples) examples")
        }
    }

    /// Counts an update that passed ``check(_:)`` in the same event (and whose tensors the shell
    /// validated). A client whose update the journal already holds (a round resumed after a
    /// restart) must resend exactly that update: `digest` and the example count must match, else
    /// `resendDiffers`. `resent` is true for such an update: it is journaled already, so the shell
    /// folds it without journaling it again. On success the shell folds the update into the
    /// round's sums, then performs `actions` (a `close` when the target is reached).
    public mutating func accept(_ facts: UpdateFacts, digest: String?, now: ContinuousClock.Instant) throws -> (actions: [RoundAction], resent: Bool) {
        guard case .collecting(var round) = state, round.id == facts.roundID else {
            preconditionFailure("accept(_:) without a passing check(_:) for round \(facts.roundID)")
        }
        let client = facts.client
        population.touch(client, now: now)
        var resent = false
        if let journaled = round.resend[client] {
            guard journaled.digest == digest, journaled.examples == facts.examples else {
                throw RoundError(
                    .resendDiffers,
                    "update from \(client) for round \(facts.roundID) differs from the one accepted before the restart "
                        + "(digest \(String((digest ?? "none").prefix(12))), \(facts.examples) examples; journaled \(journaled.digest.prefix(12)), \(journaled.examples) examples)")
            }
            round.resend[client] = nil
            resent = true
        }
        round.accepted[client] = facts.examples
        state = .collecting(round)
        if round.accepted.count >= configuration.targetUpdates {
            state = .closing(round)
            return ([.close(round)], resent)
        }
        return (closeIfNoOneLeft(round, now: now), resent)
    }

    /// No further update can come for the collecting round (its secure aggregation closed the
    /// inputs): close it with the accepted ones if they reach the quorum, else abandon it.
    public mutating func inputsClosed(_ roundID: UInt64, reason: String, now: ContinuousClock.Instant) -> [RoundAction] {
        guard case .collecting(let round) = state, round.id == roundID else { return [] }
        return finishCollecting(round, now: now, reason: reason)
    }

    /// The shell finished a closed round: `promotedVersion` is the new live version, or nil when
    /// the candidate was rejected by the evaluation gate (the live model stays).
    public mutating func roundFinished(promotedVersion: UInt64?, now: ContinuousClock.Instant) -> [RoundAction] {
        guard case .closing(let round) = state else { return [] }
        if let promotedVersion { currentVersion = promotedVersion }
        endedRounds.insert(round.id)
        state = .idle
        return nextDecision(now: now)
    }

    /// The live version changed beside the machine (an operator's `models rollback`, `reject` or
    /// `promote` in the registry): later rounds train from `version`, and a round collecting on
    /// another base is abandoned (its updates were trained from a version no longer live). A
    /// round already closing is left to its commit.
    public mutating func liveVersionChanged(to version: UInt64, now: ContinuousClock.Instant) -> [RoundAction] {
        currentVersion = version
        guard case .collecting(let round) = state, round.baseVersion != version else { return [] }
        return roundFailed(round.id, reason: "its base version \(round.baseVersion) is no longer live (live version \(version))", now: now)
    }

    /// The shell could not carry out the round's `offer` or `close` (the journal or the registry
    /// refused a write: a full disk, a read-only or locked database). The round is abandoned and
    /// the trigger decides again after `retryAfter`, so a failure that repeats cannot spin.
    public mutating func roundFailed(_ roundID: UInt64, reason: String, now: ContinuousClock.Instant) -> [RoundAction] {
        guard let round = currentRound, round.id == roundID else { return [] }
        endedRounds.insert(round.id)
        state = .idle
        let retry = now + configuration.retryAfter
        holdOffUntil = retry
        if case .schedule = configuration.trigger { nextScheduledStart = retry }
        return [.abandon(round, reason: reason)] + startIfTriggered(now: now)
    }

    /// After a restart: the journal says `round` was collecting. Its sums died with the process,
    /// so the updates the journal holds (`round.resend`) are not counted yet: the round resumes
    /// with no accepted update, each of those clients is offered the round again and must send
    /// the same update (it then counts once), and other selected clients may still answer. Only
    /// a round that can no longer reach the quorum is abandoned: its deadline passed, or it
    /// selected fewer clients than the quorum.
    public mutating func restore(round: Round, now: ContinuousClock.Instant) -> [RoundAction] {
        nextRoundID = max(nextRoundID, round.id + 1)
        var round = round
        round.accepted = [:]
        if now >= round.deadline || round.selected.count < configuration.quorum {
            endedRounds.insert(round.id)
            let reason = now >= round.deadline
                ? "deadline passed during a restart"
                : "only \(round.selected.count) clients were selected, the quorum is \(configuration.quorum)"
            return [.abandon(round, reason: reason)]
        }
        state = .collecting(round)
        departed = []
        return [.wakeUp(at: round.deadline)]
    }

    // MARK: Internals

    private mutating func startIfTriggered(now: ContinuousClock.Instant) -> [RoundAction] {
        guard case .idle = state else { return [] }
        if let until = holdOffUntil {
            guard now >= until else {
                if case .manual = configuration.trigger { return [] }
                return [.wakeUp(at: until)]
            }
            holdOffUntil = nil
        }
        let eligible = population.eligible(under: configuration)
        switch configuration.trigger {
        case .manual:
            return []
        case .readyClients(let needed):
            guard eligible.count >= max(needed, configuration.quorum) else { return [] }
            return start(eligible: eligible, now: now)
        case .schedule:
            guard let at = nextScheduledStart else { return [] }
            guard now >= at else { return [.wakeUp(at: at)] }
            guard eligible.count >= configuration.quorum else { return [] }
            nextScheduledStart = nil
            return start(eligible: eligible, now: now)
        }
    }

    private mutating func start(eligible: [String], now: ContinuousClock.Instant) -> [RoundAction] {
        var pool = eligible
        for i in stride(from: pool.count - 1, to: 0, by: -1) { pool.swapAt(i, generator.nextInt(below: i + 1)) }
        let selected = Array(pool.prefix(configuration.selectionSize)).sorted()
        let round = Round(
            id: nextRoundID, baseVersion: currentVersion, selected: selected, accepted: [:], startedAt: now,
            deadline: now + configuration.collectTimeout)
        nextRoundID += 1
        state = .collecting(round)
        departed = []
        return [.offer(round), .wakeUp(at: round.deadline)]
    }

    /// Every selected client has answered or gone: close or abandon now rather than wait.
    private mutating func closeIfNoOneLeft(_ round: Round, now: ContinuousClock.Instant) -> [RoundAction] {
        let waiting = round.selected.filter { round.accepted[$0] == nil && !departed.contains($0) }
        guard waiting.isEmpty else { return [] }
        return finishCollecting(round, now: now, reason: "no selected client is left to answer")
    }

    private mutating func finishCollecting(_ round: Round, now: ContinuousClock.Instant, reason: String) -> [RoundAction] {
        if round.accepted.count >= configuration.quorum {
            state = .closing(round)
            return [.close(round)]
        }
        endedRounds.insert(round.id)
        state = .idle
        let why = "\(reason) with \(round.accepted.count) of \(configuration.quorum) required updates"
        return [.abandon(round, reason: why)] + nextDecision(now: now)
    }

    /// After a round ended: the next scheduled start, or the trigger's decision now.
    private mutating func nextDecision(now: ContinuousClock.Instant) -> [RoundAction] {
        guard case .schedule(let interval) = configuration.trigger else { return startIfTriggered(now: now) }
        nextScheduledStart = now + interval
        return [.wakeUp(at: now + interval)]
    }
}
