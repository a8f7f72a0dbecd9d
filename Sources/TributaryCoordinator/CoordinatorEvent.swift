import TributaryRegistry
import TributaryTransport
import TributaryWire

/// What the coordinator did, as it happens: for in-process drivers (`tributary simulate`, tests)
/// through ``Coordinator/events``, and for scripts as the stable one-line ``line`` the
/// `tributary coordinator serve` command prints to stdout.
public enum CoordinatorEvent: Sendable, Equatable {
    /// Accepting edge agents (and the admin endpoint, when enabled), at the addresses really bound.
    case listening(host: String, port: Int, admin: Endpoint?, liveVersion: UInt64)
    /// A round the journal showed unfinished at start-up, and what became of it.
    case recovered(round: UInt64, outcome: String)
    case roundStarted(round: UInt64, baseVersion: UInt64, offeredTo: Int)
    /// The round consolidated the fleet's EWC state before its offer (the data changed, or the schedule was due).
    case consolidated(round: UInt64, consolidations: Int, reason: String)
    case updateAccepted(round: UInt64, client: String, examples: Int)
    case updateRefused(round: UInt64, client: String, status: String, reason: String)
    case roundClosed(RoundSummary)
    case roundAbandoned(round: UInt64, reason: String)
    /// A promoted version was sent to connected clients (`deltas` of them as a delta).
    case released(version: UInt64, clients: Int, deltas: Int)
    /// The registry's live version changed beside the coordinator (an operator's rollback,
    /// reject or promote); `released` follows for the clients that do not hold it.
    case liveChanged(from: UInt64, to: UInt64)
    case stopped(reason: String)
    /// A version the gate passed went to a cohort first (`mode` canary or ab); `control` clients keep the live version.
    case rolloutStarted(version: UInt64, mode: String, cohort: Int, control: Int)
    /// A rollout ended: promoted to every client, or rolled back, with its decision and evidence.
    case rolloutSettled(VersionDecision, promoted: Bool)
    /// A version the gate passed went to `asked` edges for evaluation on their held-out sets.
    case evaluationStarted(version: UInt64, asked: Int)
    /// The edges' evaluation decided (passed, failed or inconclusive), with its figures.
    case evaluated(VersionDecision)
    /// An EvaluateResult that does not count (not asked, twice, too late).
    case evaluationRefused(client: String, reason: String)
    /// A secure round's step: `started`, `refused` (a client's message or refusal), `unmasking`,
    /// `aggregated` or `aborted`, with what the coordinator may know (counts, indices, the reason).
    case secureAggregation(round: UInt64, step: String, detail: String)

    /// The line printed by `tributary coordinator serve`; its leading words are stable.
    public var line: String {
        switch self {
        case .listening(let host, let port, let admin, let live):
            "coordinator listening on \(Endpoint(host: host, port: port)) (TLS 1.3, live version \(live))" + (admin.map { ", admin on \($0)" } ?? "")
        case .recovered(let round, let outcome):
            "round \(round) recovered: \(outcome)"
        case .roundStarted(let round, let base, let count):
            "round \(round) started: offered to \(count) clients (base version \(base))"
        case .consolidated(let round, let count, let reason):
            "round \(round) consolidated the global EWC state (consolidation \(count))" + (reason.isEmpty ? "" : ": \(reason)")
        case .updateAccepted(let round, let client, let examples):
            "round \(round) update accepted from \(client): \(examples) examples"
        case .updateRefused(let round, let client, let status, let reason):
            "round \(round) update refused from \(client): \(status): \(reason)"
        case .roundClosed(let summary):
            summary.line
        case .roundAbandoned(let round, let reason):
            "round \(round) abandoned: \(reason)"
        case .released(let version, let clients, let deltas):
            "version \(version) released to \(clients) clients (\(deltas) as delta)"
        case .liveChanged(let from, let to):
            "live version changed from \(from) to \(to) in the registry"
        case .stopped(let reason):
            "coordinator stopped: \(reason)"
        case .evaluationStarted(let version, let asked):
            "version \(version) sent to \(asked) edges for evaluation on their held-out sets (with the live version)"
        case .evaluated(let decision):
            "version \(decision.version) \(decision.kind.replacingOccurrences(of: "_", with: " ")): \(decision.reason)"
        case .evaluationRefused(let client, let reason):
            "evaluation result from \(client) refused: \(reason)"
        case .secureAggregation(let round, let step, let detail):
            "round \(round) secure aggregation \(step): \(detail)"
        case .rolloutStarted(let version, let mode, let cohort, let control):
            "version \(version) released to the \(mode) cohort: \(cohort) connected clients in it, \(control) keep the live version"
        case .rolloutSettled(let decision, let promoted):
            "version \(decision.version) \(promoted ? "promoted to every client" : "rolled back") (\(decision.kind)): \(decision.reason)"
        }
    }
}

/// A closed round: the version it produced and whether the evaluation gate promoted it.
public struct RoundSummary: Sendable, Equatable {
    public var round: UInt64
    public var updates: Int
    public var examples: Int
    /// The registry version registered for the round's candidate.
    public var version: UInt64
    public var promoted: Bool
    /// The gate passed it and the commit held it for what comes first ("federated evaluation",
    /// "the canary cohort", "the ab cohort"); nil: promoted or rejected at once.
    public var heldFor: String? = nil
    /// Why the gate refused the candidate (empty when promoted).
    public var gateReasons: [String]
    /// Held-out accuracy of the candidate by set name, and of its parent.
    public var accuracy: [String: Double]
    public var parentAccuracy: [String: Double]
    /// Clients' example-weighted reported accuracy (base, trained), when they reported it.
    public var clientAccuracy: ClientAccuracy?
    /// A regression model's held-out RMSE and MAE of the candidate by set name, and its parent's RMSE.
    public var rmse: [String: Double] = [:]
    public var parentRMSE: [String: Double] = [:]
    public var mae: [String: Double] = [:]
    /// Bytes of delta and Fisher received in accepted updates: the Float32 tensors, or the compressed payloads as they came.
    public var bytesReceived: Int
    /// From the offer to the commit.
    public var wallTime: Duration
    /// Under differential privacy: ε after this round and what it was composed from.
    public var privacy: PrivacySpent? = nil

    public struct ClientAccuracy: Sendable, Equatable {
        public var before: Double
        public var after: Double
    }

    public var line: String {
        let decision = promoted ? "promoted" : heldFor.map { "passed the gate, held for \($0)" }
            ?? "rejected (\(gateReasons.joined(separator: "; ")))"
        var parts: [String] = []
        for name in accuracy.keys.sorted() {
            if let rmse = rmse[name] {
                parts.append("\(name) RMSE \(String(format: "%.4g", parentRMSE[name] ?? 0)) → \(String(format: "%.4g", rmse))")
                continue
            }
            parts.append("\(name) \(Self.percent(parentAccuracy[name] ?? 0)) → \(Self.percent(accuracy[name] ?? 0))")
        }
        if let clientAccuracy { parts.append("clients \(Self.percent(clientAccuracy.before)) → \(Self.percent(clientAccuracy.after))") }
        parts.append("\(bytesReceived) bytes in")
        if let privacy { parts.append(String(format: "ε %.3g of %g (δ %g, z %.3g, q %.3g)", privacy.epsilon, privacy.epsilonMax, privacy.delta, privacy.noiseMultiplier, privacy.samplingRate)) }
        parts.append(String(format: "%.2fs", Double(wallTime.components.seconds) + Double(wallTime.components.attoseconds) / 1e18))
        return "round \(round) closed: \(updates) updates, \(examples) examples, version \(version) \(decision); \(parts.joined(separator: ", "))"
    }

    static func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }
}
