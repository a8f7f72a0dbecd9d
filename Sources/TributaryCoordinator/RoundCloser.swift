import TributaryAggregation
import TributaryLearning

/// Closes a round's arithmetic and judges it, with no I/O: the server step and EWC consolidation
/// (`StreamingAggregator.outcome`, as `FederatedRunner` does in one process), then the
/// evaluation gate on the coordinator's held-out sets and the clients' reports.
struct RoundCloser: Sendable {
    struct Result {
        var candidate: GlobalModel
        var decision: PromotionGate.Decision
        var evaluations: [PromotionGate.TaskEvaluation]
        var clientAccuracy: (parent: Double, candidate: Double)?
        /// Stored with the version in the registry (`gate.promote` is 1 or 0).
        var metrics: [String: Double]
    }

    let aggregation: CoordinatorConfiguration.Aggregation
    let gate: PromotionGate
    let useClientMetrics: Bool
    let heldOut: HeldOutSets

    func close(_ work: RoundWork, live: GlobalModel, candidateVersion: UInt64) throws -> Result {
        let aggregating = ContinuousClock.now
        var aggregator = work.aggregator
        try work.privacy?.addNoise(to: &aggregator)
        let outcome = try aggregator.outcome(
            parameters: live.parameters, optimizer: aggregation.serverOptimizer, state: live.serverState, ewc: work.ewc,
            consolidation: aggregation.consolidation)
        let candidate = live.next(version: candidateVersion, outcome: outcome)
        let evaluating = ContinuousClock.now
        CoordinatorMetrics.phase("aggregate", evaluating - aggregating)
        let evaluations = try heldOut.evaluate(parent: live.checkpoint, candidate: candidate.checkpoint)
        CoordinatorMetrics.phase("evaluate", ContinuousClock.now - evaluating)
        let clientAccuracy = useClientMetrics ? work.tally.accuracy : nil
        let clientError = useClientMetrics ? work.tally.error : nil
        let spec = live.checkpoint.spec
        let decision = gate.decide(tasks: evaluations, clientAccuracy: clientAccuracy,
                                   parameters: (live.parameters, candidate.parameters, spec.parameterLayout),
                                   clientError: clientError, classCount: spec.classCount)
        var metrics: [String: Double] = [
            "round.updates": Double(outcome.aggregate.participants.count),
            "round.examples": Double(outcome.aggregate.totalExamples),
            "round.bytes_received": Double(work.bytesReceived),
            "gate.promote": decision.promote ? 1 : 0,
        ]
        for evaluation in evaluations {
            metrics["eval.\(evaluation.name).accuracy"] = evaluation.candidateAccuracy
            metrics["eval.\(evaluation.name).parent_accuracy"] = evaluation.parentAccuracy
            metrics["eval.\(evaluation.name).stability"] = evaluation.stability
            metrics["eval.\(evaluation.name).rmse"] = evaluation.candidateError
            metrics["eval.\(evaluation.name).parent_rmse"] = evaluation.parentError
        }
        if let clientAccuracy {
            metrics["clients.accuracy.before"] = clientAccuracy.parent
            metrics["clients.accuracy.after"] = clientAccuracy.candidate
        }
        if let clientError {
            metrics["clients.rmse.before"] = clientError.parent
            metrics["clients.rmse.after"] = clientError.candidate
        }
        metrics.merge(work.privacy?.metrics ?? [:]) { _, privacy in privacy }
        return Result(candidate: candidate, decision: decision, evaluations: evaluations, clientAccuracy: clientAccuracy, metrics: metrics)
    }
}
