import Foundation
import TributaryRegistry
import TributaryWire

extension CoordinatorEngine {
    /// Performs the instance's actions in order. Registry jobs are awaited (on the worker's
    /// queue); their answers go back to the instance before the next action runs.
    func perform(_ actions: [CoordinatorAction]) async {
        for action in actions {
            switch action {
            case .send(let message, let token):
                outboxes[token]?.yield(message)
            case .endSession(let token):
                outboxes.removeValue(forKey: token)?.finish()
            case .journal(let write):
                worker.journal(write)
            case .retryJournal:
                worker.retryJournal()
            case .openRound(let round, let deadline):
                let opened = await worker.run { registry, hooks in
                    try registry.openRound(id: round.id, baseVersion: round.baseVersion, selected: round.selected, deadline: deadline)
                    hooks.reach(.offered, round: round.id)
                }
                switch opened {
                case .success:
                    await perform(instance.roundOpened(round.id, now: .now))
                case .failure(let error):
                    logger.error("could not start round \(round.id)", metadata: ["round.id": "\(round.id)", "reason": "\(error)"])
                    await perform(instance.roundOpenFailed(round.id, reason: "could not start: \(error)", now: .now))
                }
            case .commit(let work, let live):
                let job = commitJob
                switch await worker.run({ registry, hooks in try job.run(work, live: live, registry: registry, hooks: hooks) }) {
                case .success(let outcome):
                    await perform(instance.committed(outcome, now: .now))
                case .failure(let error):
                    logger.error("round \(work.round.id) could not be committed", metadata: ["round.id": "\(work.round.id)", "reason": "\(error)"])
                    await perform(instance.commitFailed(work.round.id, reason: "\(error)", now: .now))
                }
            case .settleRollout(let decision, let promote):
                switch await worker.run({ registry, _ in try registry.settle(promote: promote, decision) }) {
                case .success:
                    await perform(instance.rolloutSettled(decision, promoted: promote, now: .now))
                case .failure(let error):
                    logger.error("rollout of version \(decision.version) could not be settled", metadata: [
                        "model.version": "\(decision.version)", "decision": "\(decision.kind)", "reason": "\(error)",
                    ])
                    await perform(instance.rolloutSettleFailed(now: .now))
                }
            case .recordDecision(let decision):
                if case .failure(let error) = await worker.run({ registry, _ in try registry.record(decision) }) {
                    logger.error("decision on version \(decision.version) could not be stored", metadata: [
                        "model.version": "\(decision.version)", "decision": "\(decision.kind)", "reason": "\(error)",
                    ])
                }
            case .unmaskSecureSum(let job, let round):
                let result = await Task.detached(priority: .userInitiated) {
                    Result { try job.run(workers: max(1, ProcessInfo.processInfo.activeProcessorCount)) }
                }.value
                await perform(instance.secureSumComputed(round: round, result, now: .now))
            case .emit(let event):
                record(event)
            case .wakeUp(let instant):
                wake(at: instant)
            case .stop(let reason):
                for timer in timers.values { timer.cancel() }
                timers = [:]
                liveCheck?.cancel()
                for outbox in outboxes.values { outbox.finish() }
                outboxes = [:]
                // Registry work already queued (a commit, the abandon just journaled) finishes first.
                await worker.drain()
                stopSignal.yield(reason)
                stopSignal.finish()
            }
        }
    }

    private func wake(at instant: ContinuousClock.Instant) {
        guard timers[instant] == nil, instance.stopReason == nil else { return }
        timers[instant] = Task { [weak self] in
            try? await Task.sleep(until: instant, clock: .continuous)
            guard !Task.isCancelled else { return }
            await self?.fired(instant)
        }
    }

    /// Counts and logs an event, then hands it to the event stream.
    private func record(_ event: CoordinatorEvent) {
        switch event {
        case .updateAccepted:
            metrics.updatesAccepted.increment()
        case .updateRefused(let round, let client, let status, let reason):
            metrics.refused(status)
            logger.info("update refused", metadata: ["round.id": "\(round)", "client.id": "\(client)", "receipt": "\(status)", "reason": "\(reason)"])
        case .listening(_, _, _, let live):
            metrics.liveVersion.record(Int64(live))
        case .roundStarted(let round, let base, let offered):
            metrics.roundsStarted.increment()
            logger.info("round started", metadata: ["round.id": "\(round)", "round.phase": "collect", "model.version": "\(base)", "clients.offered": "\(offered)"])
        case .roundClosed(let summary):
            metrics.roundDuration.recordNanoseconds(summary.wallTime.nanoseconds)
            logger.info("round closed", metadata: [
                "round.id": "\(summary.round)", "round.phase": "committed", "model.version": "\(summary.version)",
                "round.updates": "\(summary.updates)", "round.examples": "\(summary.examples)",
                "decision": "\(summary.promoted ? "promoted" : summary.heldFor.map { "held for \($0)" } ?? "rejected")",
            ])
            if summary.heldFor != nil {
                metrics.roundsToCohort.increment()
            } else if summary.promoted {
                metrics.roundsPromoted.increment()
                metrics.versionsPromoted.increment()
                metrics.liveVersion.record(Int64(summary.version))
                for (set, accuracy) in summary.accuracy { CoordinatorMetrics.liveAccuracy(set: set, accuracy) }
            } else {
                metrics.roundsRejected.increment()
                metrics.versionsRejected.increment()
                logger.info("candidate rejected by the evaluation gate", metadata: [
                    "round.id": "\(summary.round)", "model.version": "\(summary.version)", "reasons": "\(summary.gateReasons.joined(separator: "; "))",
                ])
            }
        case .consolidated(let round, let count, let reason):
            logger.info("global EWC state consolidated", metadata: ["round.id": "\(round)", "consolidations": "\(count)", "reason": "\(reason)"])
        case .roundAbandoned(let round, let reason):
            metrics.roundsAbandoned.increment()
            logger.info("round abandoned", metadata: ["round.id": "\(round)", "reason": "\(reason)"])
        case .released(let version, let clients, let deltas):
            metrics.releasesSent.increment(by: clients)
            logger.info("version released", metadata: ["model.version": "\(version)", "clients": "\(clients)", "clients.delta": "\(deltas)"])
        case .rolloutStarted(let version, let mode, let cohort, let control):
            metrics.rolloutState.record(mode == "canary" ? 1 : 2)
            metrics.rolloutVersion.record(Int64(version))
            logger.info("rollout started", metadata: [
                "model.version": "\(version)", "decision": "\(mode)_started", "clients.cohort": "\(cohort)", "clients.control": "\(control)",
            ])
        case .rolloutSettled(let decision, let promoted):
            metrics.rolloutState.record(0)
            metrics.rolloutVersion.record(0)
            metrics.rollouts(decision.kind).increment()
            if promoted {
                metrics.versionsPromoted.increment()
                metrics.liveVersion.record(Int64(decision.version))
            } else {
                metrics.versionsRejected.increment()
            }
            logger.info("rollout settled", metadata: [
                "model.version": "\(decision.version)", "decision": "\(decision.kind)", "promoted": "\(promoted)", "evidence": "\(decision.reason)",
            ])
        case .evaluationStarted(let version, let asked):
            logger.info("federated evaluation started", metadata: ["model.version": "\(version)", "clients.asked": "\(asked)", "round.phase": "evaluate"])
        case .evaluated(let decision):
            metrics.federatedEvaluations(decision.kind).increment()
            logger.info("federated evaluation decided", metadata: [
                "model.version": "\(decision.version)", "decision": "\(decision.kind)", "evidence": "\(decision.reason)",
            ])
        case .evaluationRefused(let client, let reason):
            logger.info("evaluation result refused", metadata: ["client.id": "\(client)", "reason": "\(reason)"])
        case .secureAggregation(let round, let step, let detail):
            logger.info("secure aggregation \(step)", metadata: ["round.id": "\(round)", "round.phase": "secure_aggregation", "detail": "\(detail)"])
        case .liveChanged(let from, let to):
            metrics.liveVersion.record(Int64(to))
            logger.info("live version changed in the registry", metadata: ["model.version": "\(to)", "model.previous": "\(from)", "decision": "operator"])
        default:
            break
        }
        emit(event)
    }
}
