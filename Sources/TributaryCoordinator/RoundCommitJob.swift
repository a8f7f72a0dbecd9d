import TributaryAggregation
import TributaryLearning
import TributaryRegistry

/// A closed round's commit, run on the registry worker (off the actor): the round is journaled
/// as aggregating, the sums are finished and the candidate evaluated (`RoundCloser`: the
/// server step, EWC consolidation, held-out evaluation and the gate's decision), the round is
/// journaled as committing, the candidate registered with the gate's decision in its metrics,
/// then promoted or rejected, and the round closed with its version. A crash between any two
/// steps is resolved by `RoundRecovery` at the next start.
struct RoundCommitJob: Sendable {
    /// What the instance needs back: the round's line (its wall time is filled in by the instance)
    /// and, when promoted, the new live model.
    struct Outcome: Sendable {
        var summary: RoundSummary
        var candidate: GlobalModel
        var baseVersion: UInt64
        var startedAt: ContinuousClock.Instant
    }

    let closer: RoundCloser
    let registryDirectory: String
    /// How a version the gate passes is released (a cohort first: registered, not promoted).
    var release: ReleasePolicy = .immediate
    /// Edges evaluate a version the gate passed before it is released (registered, not promoted).
    var federated: FederatedEvaluationSettings?

    func run(_ work: RoundWork, live: GlobalModel, registry: ModelRegistry, hooks: CoordinatorHooks) throws -> Outcome {
        let round = work.round.id
        let id = round
        let committing = ContinuousClock.now
        CoordinatorMetrics.phase("collect", committing - work.startedAt)
        defer { CoordinatorMetrics.phase("commit", ContinuousClock.now - committing) }
        try registry.advanceRound(id, to: .aggregating)
        hooks.reach(.aggregating, round: round)
        let expected = (try registry.list().last?.number ?? 0) + 1
        let result = try closer.close(work, live: live, candidateVersion: expected)
        let cohort = release.cohort
        let held = result.decision.promote && (federated != nil || cohort != nil)
        var metrics = result.metrics
        // Marks a version held for the edges' evaluation or a cohort, so a restart never promotes it past them.
        if held { metrics["release.held"] = 1 }
        try registry.advanceRound(id, to: .committing)
        hooks.reach(.committing, round: round)
        let version = try registry.register(candidate: VersionCandidate(
            checkpoint: try result.candidate.storedCheckpoint(), parent: live.version, roundID: id,
            participants: work.aggregator.participants.map(\.clientID), metrics: metrics,
            note: "round \(round): \(work.aggregator.acceptedCount) updates"))
        guard version.number == expected else {
            throw CoordinatorError(.registryConflict, "the registry numbered round \(round)'s version \(version.number), expected \(expected); is another coordinator writing to \(registryDirectory)?")
        }
        hooks.reach(.registered, round: round)
        if held, let federated {
            try registry.record(VersionDecision(
                version: version.number, kind: "federated_evaluation_started",
                reason: "the gate passed it; sent to up to \(federated.sampling.sampleSize) edges for evaluation on their held-out sets "
                    + "(at least \(federated.sampling.minimumClients) answers and \(federated.sampling.minimumExamples) examples, within "
                    + "\(federated.sampling.timeout); at most \(federated.maxDrop) below the live version)",
                figures: ["sample_size": Double(federated.sampling.sampleSize), "max_drop": federated.maxDrop]))
        } else if held, let cohort {
            try registry.record(VersionDecision(
                version: version.number, kind: "\(cohort.mode.rawValue)_started",
                reason: "the gate passed it; released to the \(cohort.mode.rawValue) cohort (cohort fraction \(cohort.policy.fraction), "
                    + "named \(cohort.policy.namedClients.sorted()), window \(cohort.policy.minimumDuration), "
                    + "\(cohort.policy.minimumOutcomesPerArm) live outcomes per arm)",
                figures: ["cohort_fraction": cohort.policy.fraction, "window_seconds": cohort.policy.minimumDuration.seconds,
                          "min_outcomes": Double(cohort.policy.minimumOutcomesPerArm), "alpha": cohort.policy.alpha,
                          "min_effect": cohort.policy.minimumEffect]))
        } else if result.decision.promote {
            try registry.promote(version.number)
        } else {
            try registry.reject(version.number, reason: result.decision.reasons.joined(separator: "; "))
        }
        try registry.closeRound(id, version: version.number)
        var summary = RoundSummary(
            round: round, updates: work.aggregator.acceptedCount, examples: work.aggregator.totalExamples, version: expected,
            promoted: result.decision.promote && !held, gateReasons: result.decision.reasons,
            accuracy: Dictionary(uniqueKeysWithValues: result.evaluations.map { ($0.name, $0.candidateAccuracy) }),
            parentAccuracy: Dictionary(uniqueKeysWithValues: result.evaluations.map { ($0.name, $0.parentAccuracy) }),
            clientAccuracy: result.clientAccuracy.map { RoundSummary.ClientAccuracy(before: $0.parent, after: $0.candidate) },
            bytesReceived: work.bytesReceived, wallTime: .zero)
        summary.privacy = work.privacy?.spent
        if held { summary.heldFor = federated != nil ? "federated evaluation" : "the \(cohort?.mode.rawValue ?? "") cohort" }
        for evaluation in result.evaluations {
            summary.rmse[evaluation.name] = evaluation.candidateError
            summary.parentRMSE[evaluation.name] = evaluation.parentError
            summary.mae[evaluation.name] = evaluation.candidateMAE
        }
        return Outcome(summary: summary, candidate: result.candidate, baseVersion: work.round.baseVersion, startedAt: work.startedAt)
    }
}
