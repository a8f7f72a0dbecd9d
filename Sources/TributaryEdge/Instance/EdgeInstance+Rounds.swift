import Foundation
import TributaryLearning
import TributaryWire

/// Rounds and releases: offer → window → job → save → Update, a kept Update sent again, a
/// release adopted.
extension EdgeInstance {
    mutating func received(_ message: WireMessage) -> [Action] {
        switch message {
        case .roundOffer(let offer):
            return offered(offer)
        case .modelRelease(let release):
            return adopt(release)
        case .updateReceipt(let receipt):
            return [.emit(.receipt(round: receipt.roundID, status: receipt.status, reason: receipt.reason))]
        case .evaluateRequest(let request):
            return evaluate(request)
        case .secureAggregation(let secure):
            return secureReceived(secure)
        case .goodbye(let goodbye):
            if case .open(var session) = phase {
                session.goodbye = goodbye
                phase = .open(session)
            }
            return []
        default:
            return []
        }
    }

    mutating func offered(_ offer: RoundOffer) -> [Action] {
        let round = offer.roundID
        var actions: [Action] = [.emit(.offered(round: round, baseVersion: offer.baseModelVersion))]
        guard isOpen else { return actions }
        if offer.secureAggregation == nil, faults.drops(round: round) {
            return actions + [.emit(.skipped(round: round, reason: "dropped after the offer (fault injection)")), .close]
        }
        if let parameters = offer.secureAggregation {
            // A secure round: keys now, then train; the masks need this run's secrets, so a
            // kept Update is never resent into one.
            actions += joinSecureRound(offer, parameters)
            if secure?.roundID != round { return actions }
        } else if let kept, kept.roundID == round, kept.baseModelVersion == offer.baseModelVersion {
            // Answered before (the coordinator restarted mid-collection): the same Update again,
            // without training and without touching the checkpoint.
            writing[round] = .resend
            return actions + [.sendUpdate(kept)]
        }
        let job = nextJob
        nextJob += 1
        jobs[job] = Job(offer: offer)
        let context = configuration.context
        // The plan states the most examples the coordinator accepts from this edge (what it
        // announced): train on at most that many of the newest, so the Update is not refused.
        let stated = offer.plan.maxExamples == 0 ? context.windowExamples : Int(clamping: offer.plan.maxExamples)
        actions.append(.readWindow(job: job, limit: min(context.windowExamples, stated), onlyNew: context.onlyNew))
        return actions
    }

    mutating func windowRead(job id: Int, _ result: Result<EdgeTrainingWindow, any Error>) -> [Action] {
        guard var job = jobs[id] else { return [] }
        let window: EdgeTrainingWindow
        switch result {
        case .failure(let error):
            return skip(id, "\(error)")
        case .success(let read):
            window = read
        }
        guard !window.data.isEmpty else { return skip(id, "no trainable examples in the store yet") }
        job.window = window
        jobs[id] = job
        var trainer = EdgeTrainer(local: held, data: window.data, retired: window.retired, seed: configuration.seed,
                                  replay: configuration.context.replay)
        trainer.residual = residual
        return [.train(job: id, offer: job.offer, trainer: trainer)]
    }

    mutating func trainingFinished(job id: Int, _ result: Result<EdgeTrainer.Outcome, any Error>, now: Date) -> [Action] {
        guard var job = jobs[id], let window = job.window else { return [] }
        let round = job.offer.roundID
        var outcome: EdgeTrainer.Outcome
        switch result {
        case .failure(let error):
            return skip(id, "\(error)")
        case .success(let finished):
            outcome = finished
        }
        let report = outcome.report
        let trained = Action.emit(.trained(round: round, examples: report.examples, loss: report.newDataAfter.loss,
                                           seconds: report.trainingSeconds))
        guard Int64(now.timeIntervalSince1970 * 1000) <= job.offer.plan.deadlineUnixMilliseconds else {
            return [trained] + skip(id, "the round's deadline passed before training finished")
        }
        if let live = window.live.first(where: { $0.modelVersion == heldVersion }), live.total > 0 {
            // The served model's prequential accuracy on its users' feedback, an aggregate only.
            outcome.update.metrics["live.accuracy"] = live.accuracy
            outcome.update.metrics["live.examples"] = Double(live.total)
        }
        var keep = outcome.keep
        if let held, job.releasedDuring, held.spec == keep.spec {
            // A release was adopted while training (newer, or a rollback): keep its parameters,
            // take the job's state. The edge holds exactly the version last released.
            keep.parameters = held.parameters
            keep.metadata = held.metadata
        }
        job.releasedDuring = false
        job.outcome = outcome
        job.keep = keep
        jobs[id] = job
        return [trained, .saveRound(job: id, keep: keep, update: outcome.update, window: window, residual: outcome.residual)]
    }

    /// The round is saved: it counts as answered; its Update goes now, or after a slow client's delay.
    mutating func roundSaved(job id: Int, failure: String?) -> [Action] {
        guard let job = jobs[id], var keep = job.keep, let outcome = job.outcome else { return [] }
        if let failure { return skip(id, failure) }
        var actions: [Action] = []
        if job.releasedDuring, let held, held.spec == keep.spec {
            // A release was adopted while the round was being saved: the edge holds the release
            // with the job's state, saved once more.
            keep.parameters = held.parameters
            keep.metadata = held.metadata
            adopting = keep
            actions.append(.saveCheckpoint(keep))
        }
        held = keep
        if job.offer.secureAggregation == nil { kept = outcome.update }
        if let changed = outcome.residual { residual = changed }
        _ = trigger.handle(.trained(heldOutAccuracy: nil))
        roundsAnswered += 1
        if let delay = faults.delay(round: job.offer.roundID) { return actions + [.schedule(.sendUpdate(job: id), after: delay)] }
        return actions + sendAnswer(job: id)
    }

    mutating func sendAnswer(job id: Int) -> [Action] {
        guard let job = jobs.removeValue(forKey: id), let outcome = job.outcome else { return [] }
        let report = outcome.report
        let update = faults.rewriteUpdate?(outcome.update) ?? outcome.update
        if job.offer.secureAggregation != nil {
            // Under differential privacy every client weighs 1, as the coordinator weighs plaintext Updates.
            return provideSecureInput(update, weight: job.offer.plan.privacy == nil ? nil : 1,
                                      examples: report.examples, loss: report.newDataAfter.loss)
        }
        writing[job.offer.roundID] = .answer(examples: report.examples, loss: report.newDataAfter.loss)
        guard configuration.triggers.readyOnlyOnTrigger, trigger.pending == nil else { return [.sendUpdate(update)] }
        // The reason this edge trained for is answered: not ready until a trigger fires again. Said
        // before the Update, so the coordinator knows it before the round can close and the
        // trigger decides on the next one.
        return [.sendReady(trigger: "answered", modelVersion: heldVersion, ready: false), .sendUpdate(update)]
    }

    mutating func updateWritten(round: UInt64, failure: String?) -> [Action] {
        guard let write = writing.removeValue(forKey: round) else { return [] }
        if let failure { return [.emit(.skipped(round: round, reason: failure))] }
        switch write {
        case .resend:
            return [.emit(.updateResent(round: round))]
        case .answer(let examples, let loss):
            let sent = Action.emit(.updateSent(round: round, examples: examples, loss: loss))
            guard let stopAfterRounds, roundsAnswered >= stopAfterRounds, isOpen else { return [sent] }
            phase = .closing
            return [sent, .sendGoodbye(Goodbye(reason: .done, detail: "answered \(stopAfterRounds) round(s)"))]
        }
    }

    /// A release is the fleet's live version, whatever its number: a rollback, a reject or a
    /// promotion of an older version releases a version lower than the one held. Any release of
    /// a version other than the held one is adopted exactly: a full model replaces the
    /// parameters, a delta is applied only to the exact version it was made against. A delta
    /// against a version this edge does not hold is ignored and the edge waits for a full
    /// model: the next RoundOffer carries one, and so does the coordinator's answer to the next
    /// Ready or Hello, which report the version really held.
    mutating func adopt(_ release: ModelRelease) -> [Action] {
        guard release.version != heldVersion else { return [] }
        let adopted: Checkpoint?
        do {
            adopted = try ModelAdoption.checkpoint(
                version: release.version, payload: release.model, architecture: release.architecture,
                preprocessing: release.preprocessing, held: held,
                seed: configuration.seed, replay: configuration.context.replay, field: "ModelRelease.model")
        } catch {
            // A release this edge cannot read ends the session; the next one may bring a readable model.
            if case .open(var session) = phase {
                session.closeReason = "\(error)"
                phase = .open(session)
            }
            return [.close]
        }
        guard let adopted else { return [.emit(.releaseIgnored(version: release.version, held: heldVersion))] }
        adopting = adopted
        return [.saveCheckpoint(adopted)]
    }

    /// An evaluate round: the candidate built on the held model (a delta needs its base), then
    /// evaluated by the agent on the held-out set. The held model and the checkpoint stay as they are.
    mutating func evaluate(_ request: EvaluateRequest) -> [Action] {
        guard isOpen else { return [] }
        var unreadable = EvaluateResult(evaluationID: request.evaluationID, version: request.version, classes: [:])
        do {
            if let candidate = try ModelAdoption.checkpoint(
                version: request.version, payload: request.model, architecture: request.architecture,
                preprocessing: request.preprocessing, held: held, seed: configuration.seed,
                replay: configuration.context.replay, field: "EvaluateRequest.model") {
                return [.evaluate(request, candidate: candidate)]
            }
            unreadable.reason = "the candidate is a delta against a version this edge does not hold (holds \(heldVersion))"
        } catch {
            unreadable.reason = String(String(describing: error).utf8.prefix(240)) ?? "the candidate could not be read"
        }
        return [.sendEvaluateResult(unreadable),
                .emit(.evaluated(version: request.version, examples: 0, correct: 0, reason: unreadable.reason))]
    }

    /// The adopted release is saved: the edge holds it. A checkpoint that cannot be saved stops the agent.
    mutating func checkpointSaved(version: UInt64, failure: String?) -> [Action] {
        guard let adopted = adopting, ModelAdoption.version(of: adopted) == version else { return [] }
        adopting = nil
        if let failure {
            phase = .stopped
            return abandonRounds() + [.emit(.disconnected(reason: failure)), .fail(EdgeError(.fatalRefusal, failure))]
        }
        held = adopted
        // A job training now keeps this release's parameters, not the ones it was offered.
        for id in jobs.keys { jobs[id]?.releasedDuring = true }
        _ = trigger.handle(.modelChanged)
        return [.emit(.adopted(version: version))]
    }

    private mutating func skip(_ job: Int, _ reason: String) -> [Action] {
        guard let removed = jobs.removeValue(forKey: job) else { return [] }
        return [.emit(.skipped(round: removed.offer.roundID, reason: reason))]
    }
}
