import Metrics
import NIOConcurrencyHelpers

/// The coordinator's metrics (swift-metrics; exported as Prometheus text on the admin endpoint's
/// `GET /metrics` when the executable bootstraps a backend). Names follow Prometheus conventions:
/// counters end in `_total`, durations are histograms in `_seconds`, sizes in `_bytes`.
struct CoordinatorMetrics: Sendable {
    static let updatesLabel = "tributary_coordinator_updates_total"
    static let roundsLabel = "tributary_coordinator_rounds_total"
    static let phaseLabel = "tributary_coordinator_round_phase_duration_seconds"

    let updatesAccepted = Counter(label: updatesLabel, dimensions: [("result", "accepted")])
    let updatesLate = Counter(label: updatesLabel, dimensions: [("result", "late")])
    let updatesInvalid = Counter(label: updatesLabel, dimensions: [("result", "invalid")])
    let updatesNotExpected = Counter(label: updatesLabel, dimensions: [("result", "not_expected")])
    let roundsPromoted = Counter(label: roundsLabel, dimensions: [("outcome", "promoted")])
    let roundsRejected = Counter(label: roundsLabel, dimensions: [("outcome", "rejected")])
    let roundsAbandoned = Counter(label: roundsLabel, dimensions: [("outcome", "abandoned")])
    let roundsStarted = Counter(label: "tributary_coordinator_rounds_started_total")
    let versionsPromoted = Counter(label: "tributary_coordinator_versions_total", dimensions: [("result", "promoted")])
    let versionsRejected = Counter(label: "tributary_coordinator_versions_total", dimensions: [("result", "rejected")])
    /// Delta and Fisher bytes of accepted updates (bytes in).
    let bytesReceived = Counter(label: "tributary_coordinator_update_received_bytes_total")
    /// Releases sent to clients (a full model or a delta each).
    let releasesSent = Counter(label: "tributary_coordinator_releases_sent_total")
    let connectedClients = Gauge(label: "tributary_coordinator_connected_clients")
    let liveVersion = Gauge(label: "tributary_coordinator_live_version")
    let roundDuration = Timer(label: "tributary_coordinator_round_duration_seconds")
    let refusedByCode = NIOLockedValueBox<[String: Counter]>([:])
    /// Rounds whose version the gate passed and that went to a canary or A/B cohort first.
    let roundsToCohort = Counter(label: roundsLabel, dimensions: [("outcome", "cohort")])
    /// 0: no rollout in flight, 1: a canary, 2: an A/B test.
    let rolloutState = Gauge(label: "tributary_coordinator_rollout_state")
    /// The version being rolled out (0: none).
    let rolloutVersion = Gauge(label: "tributary_coordinator_rollout_version")

    /// Settled rollouts by decision (`canary_promoted`, `canary_rolled_back`, `operator_promoted`, `operator_aborted`).
    func rollouts(_ decision: String) -> Counter {
        Counter(label: "tributary_coordinator_rollouts_total", dimensions: [("decision", decision)])
    }

    /// Live feedback of one arm (`canary`, `control`, or `live` outside a rollout) on the version it serves.
    static func liveArm(_ arm: String, version: UInt64, outcomes: UInt64, correct: UInt64) {
        let dimensions = [("arm", arm), ("version", "\(version)")]
        Gauge(label: "tributary_coordinator_live_outcomes", dimensions: dimensions).record(Int64(clamping: outcomes))
        if outcomes > 0 {
            Gauge(label: "tributary_coordinator_live_feedback_accuracy_ratio", dimensions: dimensions).record(Double(correct) / Double(outcomes))
        }
    }

    /// One phase of a round (`collect`: offer to close, `aggregate`, `evaluate`, `commit`).
    static func phase(_ name: String, _ duration: Duration) {
        Timer(label: phaseLabel, dimensions: [("phase", name)]).recordNanoseconds(duration.nanoseconds)
    }

    /// The live version's held-out accuracy on one set (promoted candidates only).
    static func liveAccuracy(set: String, _ accuracy: Double) {
        Gauge(label: "tributary_coordinator_live_accuracy_ratio", dimensions: [("set", set)]).record(accuracy)
    }

    func refused(_ status: String) {
        switch status {
        case "LATE": updatesLate.increment()
        case "NOT_EXPECTED": updatesNotExpected.increment()
        default: updatesInvalid.increment()
        }
        let code = status.lowercased()
        refusedByCode.withLockedValue { counters in
            if let counter = counters[code] { return counter }
            let counter = Counter(label: "tributary_coordinator_updates_refused_total", dimensions: [("code", code)])
            counters[code] = counter
            return counter
        }.increment()
    }
}

extension Duration {
    /// The whole duration in nanoseconds (saturating).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds.multipliedReportingOverflow(by: 1_000_000_000).overflow ? .max : seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
