import TributaryAggregation
import TributaryLearning
import TributaryRounds
import TributaryWire

/// The whole coordinator as one value with no I/O: the round (phase, selection and quorum through
/// ``RoundStateMachine``, the running sums in ``RoundWork``, deadlines), the connected clients and
/// what each holds, the live model and its release forms, what to journal, and the restart
/// decision. Each event is a `mutating func` that takes the time and returns
/// ``CoordinatorAction``s; `CoordinatorEngine` (the shell) performs them and reports back what
/// the registry did (`roundOpened`, `committed`, …). The instance never reads a clock.
///
/// A round goes: offer (`openRound` → `roundOpened`, which sends the offers) → collecting
/// (updates checked, folded, journaled) → close (`commit` → `committed`, which releases a
/// promoted version) or abandon. While a registry job runs, events keep arriving: the round
/// machine's phase (collecting / closing) decides what they may do.
struct CoordinatorInstance: Sendable {
    let configuration: CoordinatorConfiguration
    /// The model's parameter layout (fixed for the coordinator's life).
    let layout: ParameterLayout
    var machine: RoundStateMachine
    var live: GlobalModel
    var releases: ReleaseSet
    /// Connected clients by id.
    var clients: [String: ClientLink] = [:]
    var nextToken: UInt64 = 0
    /// The sums of the round being opened, collected, or (until `commit`) closed.
    var work: RoundWork?
    /// The round whose `openRound` has not answered yet (offers wait for it).
    var opening: UInt64?
    /// Why the last round that failed to open did (for the operator's `round start`).
    var startFailure: (round: UInt64, reason: String)?
    var roundsEnded = 0
    /// False while start-up resolves the previous process's rounds (they do not count).
    var countsRounds = false
    var stopReason: String?
    /// The operator announced a new task (`POST /v1/tasks`): the next round consolidates first.
    var taskAnnounced = false
    /// A version served to a cohort before everyone (`release.policy: canary | ab`).
    var rollout: ActiveRollout?
    /// A version the gate passed, out on the edges for evaluation (`evaluation.federated`).
    var evaluation: PendingEvaluation?
    /// What the adaptive update bounds learnt from the rounds closed so far (in memory only).
    var boundsHistory: BoundsHistory
    /// The differential-privacy budget (`privacy:`); nil when privacy is off.
    var privacy: PrivacyLedger?

    init(configuration: CoordinatorConfiguration, live: GlobalModel, releases: ReleaseSet, nextRoundID: UInt64, now: CoordinatorTime) {
        self.configuration = configuration
        self.live = live
        self.releases = releases
        layout = live.checkpoint.spec.parameterLayout
        boundsHistory = BoundsHistory(capacity: configuration.aggregation.bounds.history)
        privacy = configuration.privacy.isOn ? PrivacyLedger(settings: configuration.privacy) : nil
        machine = RoundStateMachine(configuration: configuration.rounds, currentVersion: live.version, nextRoundID: nextRoundID, now: now.instant)
    }

    /// Start-up: reports what recovery did with the journal's unfinished rounds, resumes the one
    /// still collecting (`resumed`, with the updates the journal holds for it as `resend`), then
    /// asks the trigger.
    mutating func started(recovered: [(round: UInt64, outcome: String)], resumed: Round?, now: CoordinatorTime) -> [CoordinatorAction] {
        var actions: [CoordinatorAction] = recovered.map { .emit(.recovered(round: $0.round, outcome: $0.outcome)) }
        if let resumed, configuration.secureAggregation != nil {
            // Its clients' masks and shares died with the previous process's round: it cannot resume.
            _ = machine.restore(round: resumed, now: now.instant)
            actions += translate(machine.roundFailed(
                resumed.id, reason: "a secure round cannot resume after a restart: the keys and shares of its clients were for the previous process's round",
                now: now.instant), now: now)
        } else if let resumed {
            let restored = machine.restore(round: resumed, now: now.instant)
            if case .wakeUp = restored.first, privacy != nil {
                // Its offers' privacy plans and its noise were this process's: the round is not resumed.
                actions += translate(machine.roundFailed(resumed.id, reason: "a round under differential privacy is not resumed after a restart", now: now.instant), now: now)
            } else if case .wakeUp = restored.first {
                do {
                    work = try Self.makeWork(resumed, live: live, full: releases.full, configuration: configuration, now: now)
                    let resend = resumed.resend.isEmpty ? "" : ", \(resumed.resend.count) of them asked to resend their accepted update"
                    actions.append(.emit(.recovered(
                        round: resumed.id, outcome: "resumed until its deadline; offered again to its \(resumed.selected.count) selected clients as they reconnect\(resend)")))
                } catch {
                    actions += translate(machine.roundFailed(resumed.id, reason: "could not resume: \(error)", now: now.instant), now: now)
                }
            }
            actions += translate(restored, now: now)
        }
        countsRounds = true
        return actions + translate(machine.tick(now: now.instant), now: now)
    }

    func status(now: CoordinatorTime) -> CoordinatorStatus {
        CoordinatorStatus(
            liveVersion: live.version, population: clients.count,
            eligible: machine.population.eligible(under: configuration.rounds).count,
            currentRound: machine.currentRound.map {
                .init(id: $0.id, state: machine.isCollecting ? "collecting" : "closing", baseVersion: $0.baseVersion,
                      selected: $0.selected.count, accepted: $0.accepted.count)
            },
            roundsEnded: roundsEnded, liveAccuracy: liveAccuracy,
            clients: clients.keys.sorted().map { id in
                let link = clients[id]!
                return .init(id: id, holds: link.holds, ready: machine.population.clients[id]?.ready ?? false,
                             cohort: rollout.map { $0.comparison.inCohort(id) ? "canary" : "control" },
                             liveVersion: link.live.version, liveOutcomes: link.live.outcomes, liveCorrect: link.live.correct)
            },
            rollout: rolloutStatus(now: now), privacy: privacy?.status)
    }

    /// The live version's accuracy on the devices that hold it and reported feedback outcomes.
    var liveAccuracy: CoordinatorStatus.LiveAccuracy? {
        let reports = clients.values.map(\.live).filter { $0.version == live.version && $0.outcomes > 0 }
        let outcomes = reports.reduce(0) { $0 + $1.outcomes }, correct = reports.reduce(0) { $0 + $1.correct }
        guard outcomes > 0 else { return nil }
        return .init(clients: reports.count, outcomes: outcomes, correct: correct, accuracy: Double(correct) / Double(outcomes))
    }

    /// The journal refused a write for a reason that can pass: retry after `rounds.retry_after`.
    func journalStalled(now: CoordinatorTime) -> [CoordinatorAction] {
        stopReason == nil ? [.wakeUp(at: now.instant + configuration.rounds.retryAfter)] : []
    }

    /// A wake-up asked for earlier: retry the journal, then deadlines and schedules.
    mutating func timerFired(now: CoordinatorTime) -> [CoordinatorAction] {
        guard stopReason == nil else { return [] }
        return [.retryJournal] + secureTick(now: now) + translate(machine.tick(now: now.instant), now: now) + checkRollout(now: now)
            + evaluationTick(now: now)
    }

    /// Stops rounds and says Goodbye to every client: an open round is abandoned in the journal
    /// (its sums die with the process), each session ends after its Goodbye.
    mutating func stopRequested(reason: String, goodbye: Goodbye.Reason) -> [CoordinatorAction] {
        guard stopReason == nil else { return [] }
        stopReason = reason
        var actions: [CoordinatorAction] = []
        if let work, machine.isCollecting {
            let why = "coordinator stopped while collecting (\(reason))"
            actions += [.journal(.abandon(round: work.round.id, reason: why)), .emit(.roundAbandoned(round: work.round.id, reason: why))]
            self.work = nil
        }
        for link in clients.values.sorted(by: { $0.token < $1.token }) {
            actions += [.send(.goodbye(Goodbye(reason: goodbye, detail: reason)), to: link.token), .endSession(link.token)]
        }
        clients = [:]
        return actions + [.stop(reason: reason)]
    }

    /// Counts an ended round; stops at `rounds.max_rounds`.
    mutating func roundEnded() -> [CoordinatorAction] {
        guard countsRounds else { return [] }
        roundsEnded += 1
        if let maxRounds = configuration.maxRounds, roundsEnded >= maxRounds {
            return stopRequested(reason: "\(roundsEnded) round(s) ended (rounds.max_rounds)", goodbye: .done)
        }
        return []
    }
}
