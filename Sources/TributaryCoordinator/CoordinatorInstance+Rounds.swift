import Foundation
import TributaryAggregation
import TributaryModelWire
import TributaryRounds
import TributaryWire

extension CoordinatorInstance {
    /// The operator's start: the new round's id and the actions (its `openRound`), or the
    /// machine's refusal.
    mutating func startRequested(now: CoordinatorTime) throws -> (round: UInt64, actions: [CoordinatorAction]) {
        guard stopReason == nil else { throw CoordinatorError(.notRunning, "the coordinator is stopping") }
        let decided: [RoundAction]
        do {
            decided = try machine.startRequested(now: now.instant)
        } catch let error as RoundError {
            throw CoordinatorError(.roundRefused, error.reason)
        }
        guard let id = decided.compactMap({ if case .offer(let round) = $0 { round.id } else { nil } }).first else {
            throw CoordinatorError(.roundRefused, "the round machine started no round")
        }
        return (id, translate(decided, now: now))
    }

    /// The journal holds the round as collecting: offer it to every connected selected client.
    mutating func roundOpened(_ id: UInt64, now: CoordinatorTime) -> [CoordinatorAction] {
        guard stopReason == nil, opening == id, var work else { return [] }
        opening = nil
        var actions: [CoordinatorAction] = []
        var offered: Set<String> = []
        for client in work.round.selected {
            guard let link = clients[client], work.privacy == nil || link.appliesPrivacy else { continue }
            let announced = machine.population.clients[client]?.examplesAvailable
            var offer: RoundOffer
            if let secure = work.secure {
                // A secure round masks the Update: no encoding.
                guard let secured = secureOffer(work.offer(for: client, announced: announced, aggregation: configuration.aggregation),
                                                for: client, link: link, secure: secure) else { continue }
                offer = secured
            } else {
                offer = work.offer(for: client, announced: announced, aggregation: configuration.aggregation, encoding: encoding(for: link))
            }
            offered.insert(client)
            actions.append(.send(.roundOffer(offer), to: link.token))
        }
        self.work = work
        actions.append(.emit(.roundStarted(round: id, baseVersion: work.round.baseVersion, offeredTo: actions.count)))
        return work.secure == nil ? actions : actions + startSecure(offered: offered, now: now)
    }

    /// The round could not be opened (its offer could not be built, or the journal refused it):
    /// abandoned, and the trigger waits `rounds.retry_after`.
    mutating func roundOpenFailed(_ id: UInt64, reason: String, now: CoordinatorTime) -> [CoordinatorAction] {
        guard opening == id else { return [] }
        opening = nil
        return failOpen(id, reason: reason, now: now)
    }

    private mutating func failOpen(_ id: UInt64, reason: String, now: CoordinatorTime) -> [CoordinatorAction] {
        startFailure = (id, reason)
        return translate(machine.roundFailed(id, reason: reason, now: now.instant), now: now)
    }

    /// The round's version is registered and the gate's decision applied: release a promoted
    /// version to every connected client that does not hold it, then let the trigger decide.
    mutating func committed(_ outcome: RoundCommitJob.Outcome, now: CoordinatorTime) -> [CoordinatorAction] {
        var summary = outcome.summary
        summary.wallTime = now.instant - outcome.startedAt
        privacySpent(summary)
        var actions: [CoordinatorAction] = [.emit(.roundClosed(summary))]
        if summary.heldFor != nil {
            // The gate passed it and the commit held it (for the edges' evaluation, or a cohort):
            // the round stays closing until it is settled (``rolloutSettled(_:promoted:now:)``).
            if let settings = configuration.evaluation.federated {
                return actions + startEvaluation(outcome, settings: settings, now: now)
            }
            do {
                return actions + (try startRollout(outcome, now: now))
            } catch {
                return actions + commitFailed(summary.round, reason: "release of version \(summary.version) to its cohort: \(error)", now: now)
            }
        }
        if summary.promoted {
            let parent = live.parameters
            do {
                releases = try ReleaseSet(live: outcome.candidate, parentVersion: outcome.baseVersion, parentParameters: parent)
            } catch {
                return actions + commitFailed(summary.round, reason: "release of version \(summary.version): \(error)", now: now)
            }
            live = outcome.candidate
            // After a stop (the commit was already queued) no session is left to release to.
            if stopReason == nil { actions += release() }
        }
        actions += roundEnded()
        guard stopReason == nil else { return actions }
        return actions + translate(machine.roundFinished(promotedVersion: summary.promoted ? summary.version : nil, now: now.instant), now: now)
    }

    /// The registry's live version is no longer the one this instance holds: an operator's
    /// `models rollback`, `reject` of the live version or `promote` of another one, read by the
    /// shell off the actor (`registry.live_check`). The new live version is released to every
    /// connected client that does not hold it (in full, or as a delta against its parent) and
    /// Welcomes later connections; a round collecting on the old base is abandoned. Ignored while
    /// a round is closing (its commit may be what changed the row).
    mutating func liveVersionChanged(_ changed: GlobalModel, releases: ReleaseSet, now: CoordinatorTime) -> [CoordinatorAction] {
        guard stopReason == nil, changed.version != live.version, releases.version == changed.version else { return [] }
        // A commit in flight decides the live version itself (the row may already show its
        // promotion); a change beside it is seen by the next check, after `committed`.
        if machine.currentRound != nil, !machine.isCollecting { return [] }
        let previous = live.version
        live = changed
        self.releases = releases
        var actions: [CoordinatorAction] = [.emit(.liveChanged(from: previous, to: changed.version))]
        let decided = machine.liveVersionChanged(to: changed.version, now: now.instant)
        if let round = work?.round.id, decided.contains(where: { if case .abandon(let abandoned, _) = $0 { abandoned.id == round } else { false } }) {
            if opening == round { opening = nil }
        }
        actions += translate(decided, now: now)
        return actions + release()
    }

    /// The commit failed: the round is abandoned (journal, event, `rounds.max_rounds`) and the
    /// trigger waits `rounds.retry_after`.
    mutating func commitFailed(_ id: UInt64, reason: String, now: CoordinatorTime) -> [CoordinatorAction] {
        translate(machine.roundFailed(id, reason: "commit failed: \(reason)", now: now.instant), now: now)
    }

    /// The round machine's decisions as the shell's actions, in order; nothing after a stop.
    mutating func translate(_ decided: [RoundAction], now: CoordinatorTime) -> [CoordinatorAction] {
        var actions: [CoordinatorAction] = []
        for action in decided {
            guard stopReason == nil else { break }
            switch action {
            case .offer(let round): actions += open(round, now: now)
            case .close(let round): actions += close(round, now: now)
            case .abandon(let round, let reason): actions += abandon(round, reason: reason)
            case .wakeUp(let instant): actions.append(.wakeUp(at: instant))
            }
        }
        return actions
    }

    private mutating func open(_ round: Round, now: CoordinatorTime) -> [CoordinatorAction] {
        do {
            let change = dataChange(round)
            var work = try Self.makeWork(round, live: live, full: releases.full, configuration: configuration, now: now, dataChange: change,
                                         history: boundsHistory)
            work.round = round
            switch try openPrivacy(round, plan: work.offer.plan) {
            case .exhausted(let reason): return stopRequested(reason: reason, goodbye: .done)
            case .open(let roundPrivacy): try work.applyPrivacy(roundPrivacy)
            case nil: break
            }
            work.secure = try makeSecureRound(round, work: work, now: now)
            self.work = work
            opening = round.id
            var actions: [CoordinatorAction] = [.openRound(round, deadline: now.date(of: round.deadline))]
            if work.ewc.consolidations > live.ewc.consolidations {
                taskAnnounced = false
                // The reports of this change are used up: a drift reported before it does not
                // make a later round consolidate again.
                for id in clients.keys { clients[id]?.trigger = nil }
                let reason = change ?? "\(live.ewc.age) rounds since the last consolidation"
                actions.append(.emit(.consolidated(round: round.id, consolidations: work.ewc.consolidations, reason: reason)))
            }
            return actions
        } catch {
            return failOpen(round.id, reason: "could not start: \(error)", now: now)
        }
    }

    private mutating func close(_ round: Round, now: CoordinatorTime) -> [CoordinatorAction] {
        guard let work, work.round.id == round.id else {
            return translate(machine.roundFailed(round.id, reason: "no running sums for the round", now: now.instant), now: now)
        }
        if work.secure != nil { return closeSecure(now: now) }
        self.work = nil
        boundsHistory = work.aggregator.closingHistory
        return [.commit(work, live: live)]
    }

    private mutating func abandon(_ round: Round, reason: String) -> [CoordinatorAction] {
        if let work, work.round.id == round.id {
            // A consolidation the round made is lost with it: the next round makes it again.
            if work.ewc.consolidations > live.ewc.consolidations { taskAnnounced = true }
            self.work = nil
        }
        return [.journal(.abandon(round: round.id, reason: reason)), .emit(.roundAbandoned(round: round.id, reason: reason))] + roundEnded()
    }

    /// Sends every connected client what it should hold and does not: the live version, or a
    /// rollout's candidate in its cohort. One `released` event per version sent.
    mutating func release() -> [CoordinatorAction] {
        var actions: [CoordinatorAction] = []
        var sent: [UInt64: (clients: Int, deltas: Int)] = [:]
        for id in clients.keys.sorted() {
            let target = releaseSet(for: id)
            guard var link = clients[id], let message = target.release(forClientHolding: link.holds) else { continue }
            var count = sent[target.version] ?? (0, 0)
            count.clients += 1
            if case .delta = message.model { count.deltas += 1 }
            sent[target.version] = count
            actions.append(.send(.modelRelease(message), to: link.token))
            link.holds = target.version
            clients[id] = link
        }
        if sent.isEmpty { sent[releases.version] = (0, 0) }
        return actions + sent.keys.sorted().map { .emit(.released(version: $0, clients: sent[$0]!.clients, deltas: sent[$0]!.deltas)) }
    }

    /// Why the fleet's data changed since the last consolidation (nil: it did not): the operator
    /// announced a new task, or at least `aggregation.data_change_fraction` of the round's selected clients
    /// asked to train because of drift or an accuracy drop.
    func dataChange(_ round: Round) -> String? {
        if taskAnnounced { return "the operator announced a new task" }
        guard !round.selected.isEmpty else { return nil }
        let drifted = round.selected.filter { ["drift", "accuracy_drop"].contains(clients[$0]?.trigger ?? "") }.count
        let share = Double(drifted) / Double(round.selected.count)
        return share >= configuration.aggregation.dataChangeFraction
            ? "\(drifted) of \(round.selected.count) selected clients report drift or an accuracy drop" : nil
    }

    /// The sums and the offer of `round` (the offer's plan deadline is the round's). The global
    /// EWC state it offers is consolidated first when the policy says so.
    static func makeWork(_ round: Round, live: GlobalModel, full: ParameterSet, configuration: CoordinatorConfiguration, now: CoordinatorTime,
                         dataChange: String? = nil, history: BoundsHistory? = nil) throws -> RoundWork {
        let consolidation = configuration.aggregation.consolidation
        let ewc = consolidation.isDue(live.ewc, dataChanged: dataChange != nil)
            ? try live.ewc.consolidated(anchor: live.parameters, policy: consolidation) : live.ewc
        let policy = try UpdatePolicy(
            layout: live.checkpoint.spec.parameterLayout, roundID: round.id, baseVersion: round.baseVersion,
            maxDeltaNorm: configuration.aggregation.deltaNormBound.limit(base: live.parameters),
            maxExamples: configuration.aggregation.maxUpdateExamples)
        let aggregator = try StreamingAggregator(policy: policy, rule: configuration.aggregation.rule,
                                                 bounds: configuration.aggregation.bounds, history: history)
        let plan = wirePlan(live.checkpoint, overrides: configuration.plan, rule: configuration.aggregation.rule,
                            deadline: now.date(of: max(round.deadline, now.instant)))
        let offer = RoundOffer(
            roundID: round.id, baseModelVersion: live.version, model: .full(full),
            // With λ = 0 no edge applies the global EWC penalty: the state stays home (2 models less per offer).
            ewc: plan.ewcLambda > 0 ? try wireEWC(ewc, layout: live.checkpoint.spec.parameterLayout, gamma: consolidation.gamma) : nil,
            plan: plan, architecture: LearningWire.architecture(live.checkpoint.spec),
            preprocessing: LearningWire.preprocessing(live.checkpoint.preprocessing))
        return RoundWork(round: round, aggregator: aggregator, startedAt: now.instant, offer: offer, ewc: ewc)
    }
}
