import Foundation
import TributaryRegistry
import TributaryRounds

/// A version the gate passed, out on a sample of edges for evaluation before anything is released:
/// the candidate and the live version, each measured by the same edges on their held-out sets
/// (two ``FederatedEvaluation``s with their own ids), and the decision once both are in.
struct PendingEvaluation: Sendable {
    let outcome: RoundCommitJob.Outcome
    let liveVersion: UInt64
    let maxDrop: Double
    var candidate: FederatedEvaluation
    var live: FederatedEvaluation
    /// The decision, once both evaluations ended; kept until the registry has stored it.
    var decided: (decision: VersionDecision, promote: Bool)?
    var settling = false

    var version: UInt64 { outcome.candidate.version }

    /// Both evaluations ended: pass when the candidate's accuracy on the edges' held-out sets is at
    /// most `maxDrop` below the live version's, fail when it is lower still, and inconclusive (the
    /// coordinator's gate alone decides, which passed it) when too few edges or examples answered.
    func decision() -> (decision: VersionDecision, passed: Bool)? {
        guard let candidateSummary = candidate.summary, let liveSummary = live.summary else { return nil }
        let c = candidateSummary.overall, l = liveSummary.overall
        var figures: [String: Double] = [
            "federated.clients_asked": Double(candidateSummary.clientsAsked), "federated.clients_answered": Double(candidateSummary.clientsAnswered),
            "federated.candidate.correct": Double(c.correct), "federated.candidate.total": Double(c.total),
            "federated.live.correct": Double(l.correct), "federated.live.total": Double(l.total), "federated.max_drop": maxDrop,
        ]
        for (label, count) in candidateSummary.classes {
            if let accuracy = count.accuracy { figures["federated.candidate.class.\(label).accuracy"] = accuracy }
        }
        let counts = "\(candidateSummary.clientsAnswered) of \(candidateSummary.clientsAsked) asked edges answered (\(candidateSummary.ending))"
        guard let candidateAccuracy = candidateSummary.accuracy, let liveAccuracy = liveSummary.accuracy else {
            let why = candidateSummary.shortfall ?? liveSummary.shortfall ?? "no figure"
            return (VersionDecision(version: version, kind: "federated_evaluation_inconclusive",
                                    reason: "too little held-out data on the edges to judge (\(why)); \(counts); released on the coordinator's gate alone",
                                    figures: figures), true)
        }
        figures["federated.candidate.accuracy"] = candidateAccuracy
        figures["federated.live.accuracy"] = liveAccuracy
        let drop = liveAccuracy - candidateAccuracy
        let measured = String(format: "candidate %.1f%% vs live version %llu %.1f%% on %llu held-out examples of the edges (drop %.1f points, at most %.1f allowed)",
                              candidateAccuracy * 100, liveVersion, liveAccuracy * 100, c.total, drop * 100, maxDrop * 100)
        return drop > maxDrop
            ? (VersionDecision(version: version, kind: "federated_evaluation_failed", reason: "\(measured); \(counts)", figures: figures), false)
            : (VersionDecision(version: version, kind: "federated_evaluation_passed", reason: "\(measured); \(counts)", figures: figures), true)
    }
}
