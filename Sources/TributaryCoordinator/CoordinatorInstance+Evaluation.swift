import Foundation
import TributaryModelWire
import TributaryRegistry
import TributaryRounds
import TributaryWire

/// The evaluate round (`evaluation.federated`): a version the gate passed goes, with the live
/// version, to a seeded sample of the connected edges that can evaluate; they answer per-class
/// counts on their local held-out sets. The round machine stays in the round's closing phase until
/// the evaluation is decided, then the version is rejected, or released by `release.policy`
/// (promoted to all, or to a cohort first).
extension CoordinatorInstance {
    mutating func startEvaluation(_ outcome: RoundCommitJob.Outcome, settings: FederatedEvaluationSettings, now: CoordinatorTime) -> [CoordinatorAction] {
        let version = outcome.candidate.version
        var pending = PendingEvaluation(
            outcome: outcome, liveVersion: live.version, maxDrop: settings.maxDrop,
            candidate: FederatedEvaluation(evaluationID: version &* 2, version: version, configuration: settings.sampling),
            live: FederatedEvaluation(evaluationID: version &* 2 &+ 1, version: live.version, configuration: settings.sampling))
        let asked = pending.candidate.start(eligible: clients.filter(\.value.canEvaluate).map(\.key), now: now.instant)
        // The live version on the very same edges: the sample is the candidate's asked set.
        let liveAsked = pending.live.start(eligible: Array(pending.candidate.asked), now: now.instant)
        evaluation = pending
        let timeout = settings.sampling.timeout
        return [.emit(.evaluationStarted(version: version, asked: pending.candidate.asked.count))]
            + evaluationActions(asked, id: pending.candidate.evaluationID, model: outcome.candidate, now: now, timeout: timeout)
            + evaluationActions(liveAsked, id: pending.live.evaluationID, model: live, now: now, timeout: timeout)
            + decideEvaluation(now: now)
    }

    /// An edge's EvaluateResult.
    mutating func evaluated(_ result: EvaluateResult, from clientID: String, token: UInt64, now: CoordinatorTime) -> [CoordinatorAction] {
        guard clients[clientID]?.token == token, var pending = evaluation else { return [] }
        let counts = result.classes.mapValues { FederatedEvaluation.Count(correct: $0.correct, total: $0.total) }
        let tasks = result.tasks.mapValues { FederatedEvaluation.Count(correct: $0.correct, total: $0.total) }
        do {
            if result.evaluationID == pending.candidate.evaluationID {
                _ = try pending.candidate.received(client: clientID, classes: counts, tasks: tasks, now: now.instant)
            } else if result.evaluationID == pending.live.evaluationID {
                _ = try pending.live.received(client: clientID, classes: counts, tasks: tasks, now: now.instant)
            } else {
                return [.emit(.evaluationRefused(client: clientID, reason: "evaluation \(result.evaluationID) is not in progress"))]
            }
        } catch let error as RoundError {
            return [.emit(.evaluationRefused(client: clientID, reason: error.reason))]
        } catch {
            return [.emit(.evaluationRefused(client: clientID, reason: "\(error)"))]
        }
        evaluation = pending
        return decideEvaluation(now: now)
    }

    /// A client left, or time passed: the evaluations may end without it.
    mutating func evaluationTick(leaving clientID: String? = nil, now: CoordinatorTime) -> [CoordinatorAction] {
        guard var pending = evaluation else { return [] }
        if let clientID {
            _ = pending.candidate.clientLeft(clientID)
            _ = pending.live.clientLeft(clientID)
        }
        _ = pending.candidate.tick(now: now.instant)
        _ = pending.live.tick(now: now.instant)
        evaluation = pending
        return decideEvaluation(now: now)
    }

    /// Once both evaluations ended: reject the version, or release it by `release.policy`.
    private mutating func decideEvaluation(now: CoordinatorTime) -> [CoordinatorAction] {
        guard var pending = evaluation, !pending.settling else { return [] }
        if pending.decided == nil {
            guard let (decision, passed) = pending.decision() else { return [] }
            if passed, configuration.release.cohort != nil {
                // Passed: the cohort comes next; the rollout's own decision settles the version.
                evaluation = nil
                do {
                    return [.recordDecision(decision), .emit(.evaluated(decision))] + (try startRollout(pending.outcome, now: now))
                } catch {
                    return [.emit(.evaluated(decision))] + commitFailed(pending.outcome.summary.round, reason: "release of version \(pending.version) to its cohort: \(error)", now: now)
                }
            }
            pending.decided = (decision, passed)
            evaluation = pending
            var actions: [CoordinatorAction] = [.emit(.evaluated(decision))]
            actions += settleEvaluation()
            return actions
        }
        return settleEvaluation()
    }

    /// Hands the decided evaluation to the registry (again after a refusal).
    mutating func settleEvaluation() -> [CoordinatorAction] {
        guard var pending = evaluation, !pending.settling, let decided = pending.decided else { return [] }
        pending.settling = true
        evaluation = pending
        return [.settleRollout(decided.decision, promote: decided.promote)]
    }

    /// The evaluation's actions as the shell's: an EvaluateRequest (the model in full) per asked edge, its wake-up.
    private func evaluationActions(_ actions: [FederatedEvaluation.Action], id: UInt64, model: GlobalModel, now: CoordinatorTime,
                                   timeout: Duration) -> [CoordinatorAction] {
        guard let parameters = try? LearningWire.parameterSet(model.parameters, layout: layout) else { return [] }
        let deadline = Int64((now.date.timeIntervalSince1970 + timeout.seconds) * 1000)
        return actions.flatMap { action -> [CoordinatorAction] in
            switch action {
            case .request(let client):
                guard let link = clients[client] else { return [] }
                let request = EvaluateRequest(
                    evaluationID: id, version: model.version, model: .full(parameters), architecture: LearningWire.architecture(model.checkpoint.spec),
                    preprocessing: LearningWire.preprocessing(model.checkpoint.preprocessing), deadlineUnixMilliseconds: deadline)
                return [.send(.evaluateRequest(request), to: link.token)]
            case .wake(let instant):
                return [.wakeUp(at: instant)]
            case .finished:
                return []
            }
        }
    }
}
