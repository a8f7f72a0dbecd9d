import Foundation
import TributaryAggregation
import TributaryLearning
import TributaryModelWire
import TributaryRegistry
import TributaryRounds
import TributaryWire

extension CoordinatorEngine {
    /// Performs the round machine's actions, in order.
    func perform(_ actions: [RoundAction]) {
        for action in actions {
            guard stopReason == nil else { return }
            switch action {
            case .offer(let round): offer(round)
            case .close(let round): close(round)
            case .abandon(let round, let reason): abandon(round, reason: reason)
            case .wakeUp(let instant): wake(at: instant)
            }
        }
    }

    /// The operator's start: returns the round id, or throws the machine's refusal.
    func requestRound() throws -> UInt64 {
        guard stopReason == nil else { throw CoordinatorError(.notRunning, "the coordinator is stopping") }
        let actions: [RoundAction]
        do {
            actions = try machine.startRequested(now: .now)
        } catch let error as RoundError {
            throw CoordinatorError(.roundRefused, error.reason)
        }
        perform(actions)
        guard let id = actions.compactMap({ if case .offer(let round) = $0 { round.id } else { nil } }).first else {
            throw CoordinatorError(.roundRefused, "the round machine started no round")
        }
        if let failure = startFailure, failure.round == id {
            throw CoordinatorError(.roundRefused, "round \(id) \(failure.reason)")
        }
        return id
    }

    static func makeWork(_ round: Round, live: GlobalModel, full: ParameterSet, configuration: CoordinatorConfiguration, now: ContinuousClock.Instant) throws -> RoundWork {
        let policy = try UpdatePolicy(
            layout: live.checkpoint.spec.parameterLayout, roundID: round.id, baseVersion: round.baseVersion,
            maxDeltaNorm: configuration.aggregation.deltaNormBound.limit(base: live.parameters),
            maxExamples: configuration.aggregation.maxUpdateExamples)
        let aggregator = try StreamingAggregator(policy: policy, rule: configuration.aggregation.rule)
        let remaining = now < round.deadline ? round.deadline - now : .zero
        let plan = Self.wirePlan(live.checkpoint, overrides: configuration.plan, rule: configuration.aggregation.rule,
                                 deadline: Date().addingTimeInterval(remaining.seconds))
        let offer = RoundOffer(
            roundID: round.id, baseModelVersion: live.version, model: .full(full),
            // With λ = 0 no edge applies the global EWC penalty: the state stays home (2 models less per offer).
            ewc: plan.ewcLambda > 0 ? try Self.wireEWC(live, gamma: configuration.aggregation.ewcGamma) : nil,
            plan: plan, architecture: LearningWire.architecture(live.checkpoint.spec))
        return RoundWork(round: round, aggregator: aggregator, startedAt: now, offer: offer)
    }

    private func offer(_ round: Round) {
        flushJournal()
        do {
            var work = try Self.makeWork(round, live: live, full: releases.full, configuration: configuration, now: .now)
            try registry.openRound(
                id: round.id, baseVersion: round.baseVersion, selected: round.selected,
                deadline: Date().addingTimeInterval((round.deadline - .now).seconds))
            pause(at: .offered, round: round.id)
            var offered = 0
            for id in round.selected {
                guard var link = links[id] else { continue }
                link.send(.roundOffer(work.offer))
                link.offered.insert(round.id)
                links[id] = link
                offered += 1
            }
            work.round = round
            self.work = work
            emit(.roundStarted(round: round.id, baseVersion: round.baseVersion, offeredTo: offered))
        } catch {
            logger.error("could not start round \(round.id)", metadata: ["round.id": "\(round.id)", "reason": "\(error)"])
            startFailure = (round.id, "could not start: \(error)")
            perform(machine.roundFailed(round.id, reason: "could not start: \(error)", now: .now))
        }
    }

    private func abandon(_ round: Round, reason: String) {
        journal(.abandon(round: round.id, reason: reason))
        work = nil
        metrics.roundsAbandoned.increment()
        logger.info("round abandoned", metadata: ["round.id": "\(round.id)", "reason": "\(reason)"])
        emit(.roundAbandoned(round: round.id, reason: reason))
        roundEnded()
    }

    /// Aggregates, evaluates, commits and releases a round the machine closed, in one actor call.
    private func close(_ round: Round) {
        guard let work, work.round.id == round.id else {
            logger.error("round \(round.id) closed with no running sums", metadata: ["round.id": "\(round.id)"])
            perform(machine.roundFailed(round.id, reason: "no running sums for the round", now: .now))
            return
        }
        self.work = nil
        let id = round.id
        var promoted: UInt64?
        do {
            try registry.advanceRound(id, to: .aggregating)
            pause(at: .aggregating, round: round.id)
            let expected = (try registry.list().last?.number ?? 0) + 1
            let result = try closer.close(work, live: live, candidateVersion: expected)
            try registry.advanceRound(id, to: .committing)
            pause(at: .committing, round: round.id)
            let version = try registry.register(candidate: VersionCandidate(
                checkpoint: try result.candidate.storedCheckpoint(), parent: live.version, roundID: id,
                participants: work.aggregator.participants.map(\.clientID), metrics: result.metrics,
                note: "round \(round.id): \(work.aggregator.acceptedCount) updates"))
            guard version.number == expected else {
                throw CoordinatorError(.registryConflict, "the registry numbered round \(round.id)'s version \(version.number), expected \(expected); is another coordinator writing to \(configuration.registryDirectory)?")
            }
            pause(at: .registered, round: round.id)
            if result.decision.promote {
                try registry.promote(version.number)
                metrics.versionsPromoted.increment()
                promoted = expected
            } else {
                try registry.reject(version.number, reason: result.decision.reasons.joined(separator: "; "))
                metrics.versionsRejected.increment()
                logger.info("candidate rejected by the evaluation gate", metadata: [
                    "round.id": "\(round.id)", "model.version": "\(expected)", "reasons": "\(result.decision.reasons.joined(separator: "; "))",
                ])
            }
            try registry.closeRound(id, version: version.number)
            metrics.roundsClosed.increment()
            emit(.roundClosed(summary(of: work, result: result, version: expected)))
            if promoted != nil {
                let parent = live.parameters
                live = result.candidate
                releases = try ReleaseSet(live: live, parentVersion: round.baseVersion, parentParameters: parent)
                release()
            }
        } catch {
            logger.error("round \(round.id) could not be committed", metadata: ["round.id": "\(round.id)", "reason": "\(error)"])
            // The abandon (journal, event, rounds.max_rounds) and the retry are the machine's decision.
            perform(machine.roundFailed(round.id, reason: "commit failed: \(error)", now: .now))
            return
        }
        roundEnded()
        perform(machine.roundFinished(promotedVersion: promoted, now: .now))
    }

    /// Sends the live version to every connected client that does not hold it.
    private func release() {
        var clients = 0, deltas = 0
        for (id, var link) in links {
            guard let message = releases.release(forClientHolding: link.holds) else { continue }
            if case .delta = message.model { deltas += 1 }
            link.send(.modelRelease(message))
            link.holds = releases.version
            links[id] = link
            clients += 1
        }
        emit(.released(version: releases.version, clients: clients, deltas: deltas))
    }

    private func summary(of work: RoundWork, result: RoundCloser.Result, version: UInt64) -> RoundSummary {
        RoundSummary(
            round: work.round.id, updates: work.aggregator.acceptedCount, examples: work.aggregator.totalExamples, version: version,
            promoted: result.decision.promote, gateReasons: result.decision.reasons,
            accuracy: Dictionary(uniqueKeysWithValues: result.evaluations.map { ($0.name, $0.candidateAccuracy) }),
            parentAccuracy: Dictionary(uniqueKeysWithValues: result.evaluations.map { ($0.name, $0.parentAccuracy) }),
            clientAccuracy: result.clientAccuracy.map { RoundSummary.ClientAccuracy(before: $0.parent, after: $0.candidate) },
            bytesReceived: work.bytesReceived, wallTime: .now - work.startedAt)
    }

    private func roundEnded() {
        guard countsRounds else { return }
        roundsEnded += 1
        if let maxRounds = configuration.maxRounds, roundsEnded >= maxRounds {
            stop(reason: "\(roundsEnded) round(s) ended (rounds.max_rounds)", goodbye: .done)
        }
    }

    func wake(at instant: ContinuousClock.Instant) {
        guard timers[instant] == nil else { return }
        timers[instant] = Task { [weak self] in
            try? await Task.sleep(until: instant, clock: .continuous)
            guard !Task.isCancelled else { return }
            await self?.fired(instant)
        }
    }

    private func fired(_ instant: ContinuousClock.Instant) {
        timers[instant] = nil
        guard stopReason == nil else { return }
        flushJournal()
        perform(machine.tick(now: .now))
    }

    /// The test hook: print where the round stands, then sleep so a test can SIGKILL here.
    func pause(at point: PausePoint, round: UInt64) {
        guard configuration.pauseAt == point else { return }
        let line = "pause: \(point.rawValue) round \(round)\n"
        FileHandle.standardOutput.write(Data(line.utf8))
        Thread.sleep(forTimeInterval: 3600)
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
