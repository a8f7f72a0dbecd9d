import TributaryRegistry
import TributaryRounds

/// Release by cohort (`release.policy: canary | ab`): the gate passed a version, the commit
/// registered it without promoting it, and it goes to the cohort only. The round machine stays
/// in the round's closing phase until the rollout is settled, so no round starts meanwhile and
/// an operator's change of the live row waits. Each Hello and Ready reports a client's live
/// counts; a canary decides once its window has passed and both arms have their outcomes.
extension CoordinatorInstance {
    /// The round's commit held its version for a cohort: start serving it there.
    mutating func startRollout(_ outcome: RoundCommitJob.Outcome, now: CoordinatorTime) throws -> [CoordinatorAction] {
        guard let (policy, mode) = configuration.release.cohort else { return [] }
        let releases = try ReleaseSet(live: outcome.candidate, parentVersion: live.version, parentParameters: live.parameters)
        let reports = clients.mapValues { (version: $0.live.version, counts: ArmOutcomes(outcomes: $0.live.outcomes, correct: $0.live.correct)) }
        let comparison = CanaryRollout(version: outcome.candidate.version, baseVersion: live.version, policy: policy, mode: mode,
                                       startedAt: now.instant, reports: reports)
        rollout = ActiveRollout(comparison: comparison, candidate: outcome.candidate, releases: releases, round: outcome.summary.round,
                                startedAt: now.date)
        let cohort = clients.keys.filter(comparison.inCohort).count
        var actions: [CoordinatorAction] = [.emit(.rolloutStarted(version: comparison.version, mode: mode.rawValue, cohort: cohort,
                                                                   control: clients.count - cohort))]
        actions += release()
        if mode == .canary { actions.append(.wakeUp(at: comparison.windowEnds)) }
        return actions
    }

    /// What `clientID` should hold: the candidate in a rollout's cohort, else the live version.
    func releaseSet(for clientID: String) -> ReleaseSet {
        if let rollout, rollout.comparison.inCohort(clientID) { return rollout.releases }
        return releases
    }

    /// A client's live counts reached the coordinator (Hello or Ready): into the comparison, then
    /// decide if it is time.
    mutating func rolloutReport(_ clientID: String, now: CoordinatorTime) -> [CoordinatorAction] {
        guard var rollout, !rollout.settling, let link = clients[clientID] else { return [] }
        rollout.comparison.report(client: clientID, version: link.live.version,
                                  counts: ArmOutcomes(outcomes: link.live.outcomes, correct: link.live.correct))
        self.rollout = rollout
        return checkRollout(now: now)
    }

    /// A canary's automatic decision, once its window has passed and both arms have the outcomes.
    mutating func checkRollout(now: CoordinatorTime) -> [CoordinatorAction] {
        guard let rollout, !rollout.settling else { return [] }
        switch rollout.comparison.decision(now: now.instant) {
        case .wait:
            return []
        case .promote:
            return settle(promote: true, rollout.decision("canary_promoted", because: "the canary is not worse than the control"))
        case .rollBack:
            return settle(promote: false, rollout.decision("canary_rolled_back", because: "the canary is worse than the control"))
        }
    }

    /// The operator's `tributary rollout promote|abort`.
    mutating func operatorSettles(promote: Bool) throws -> [CoordinatorAction] {
        guard stopReason == nil, let rollout else {
            throw CoordinatorError(.noRollout, "no rollout is in flight (release.policy is \(configuration.release.name)); nothing to \(promote ? "promote" : "abort")")
        }
        guard !rollout.settling else {
            throw CoordinatorError(.noRollout, "the rollout of version \(rollout.version) is already being settled")
        }
        return promote
            ? settle(promote: true, rollout.decision("operator_promoted", because: "the operator promoted it"))
            : settle(promote: false, rollout.decision("operator_aborted", because: "the operator aborted it"))
    }

    private mutating func settle(promote: Bool, _ decision: VersionDecision) -> [CoordinatorAction] {
        rollout?.settling = true
        return [.settleRollout(decision, promote: promote)]
    }

    /// The registry promoted (or rejected) the rollout's version: every client gets what is live
    /// now, the round ends, and the trigger decides again.
    mutating func rolloutSettled(_ decision: VersionDecision, promoted: Bool, now: CoordinatorTime) -> [CoordinatorAction] {
        guard let rollout, rollout.version == decision.version else { return [] }
        self.rollout = nil
        if promoted {
            live = rollout.candidate
            releases = rollout.releases
        }
        var actions: [CoordinatorAction] = [.emit(.rolloutSettled(decision, promoted: promoted))]
        if stopReason == nil { actions += release() }
        actions += roundEnded()
        guard stopReason == nil else { return actions }
        return actions + translate(machine.roundFinished(promotedVersion: promoted ? decision.version : nil, now: now.instant), now: now)
    }

    /// The registry refused the settlement: the rollout stays in flight and decides again after
    /// `rounds.retry_after`.
    mutating func rolloutSettleFailed(now: CoordinatorTime) -> [CoordinatorAction] {
        rollout?.settling = false
        return stopReason == nil ? [.wakeUp(at: now.instant + configuration.rounds.retryAfter)] : []
    }

    /// What `GET /v1/status` shows of the rollout.
    func rolloutStatus(now: CoordinatorTime) -> CoordinatorStatus.Rollout? {
        guard let rollout else { return nil }
        let figures = rollout.comparison.figures
        let state: String
        let waiting: String?
        switch rollout.comparison.decision(now: now.instant) {
        case .wait(let why): (state, waiting) = (rollout.settling ? "settling" : "watching", why)
        case .promote, .rollBack: (state, waiting) = ("settling", nil)
        }
        return CoordinatorStatus.Rollout(
            version: rollout.version, baseVersion: rollout.comparison.baseVersion, policy: rollout.comparison.mode.rawValue, state: state,
            startedAt: rollout.startedAt.timeIntervalSince1970, cohort: clients.keys.filter(rollout.comparison.inCohort).sorted(),
            canary: .init(figures.canary), control: .init(figures.control), waiting: waiting, z: figures.z, pValue: figures.pValue,
            alpha: figures.alpha, minEffect: figures.minimumEffect)
    }
}

extension ReleasePolicy {
    var name: String {
        switch self {
        case .immediate: "immediate"
        case .canary: "canary"
        case .abTest: "ab"
        }
    }
}
