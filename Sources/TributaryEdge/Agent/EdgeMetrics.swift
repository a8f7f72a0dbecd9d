import Metrics

/// What the edge agent records (swift-metrics; exported at the endpoint's `GET /metrics` when
/// `tributary-edge` bootstraps a backend), from its events.
enum EdgeMetrics {
    static let heldVersion = Gauge(label: "tributary_edge_held_version")
    static let trainingDuration = Timer(label: "tributary_edge_training_duration_seconds")
    static let updatesSent = Counter(label: "tributary_edge_updates_sent_total")
    static let adoptions = Counter(label: "tributary_edge_models_adopted_total")

    static func record(_ event: EdgeEvent) {
        switch event {
        case .connected(_, let version):
            heldVersion.record(Int64(version))
        case .readySent(let trigger, let ready):
            Counter(label: "tributary_edge_trigger_fires_total", dimensions: [("reason", trigger), ("ready", ready ? "true" : "false")]).increment()
        case .trained(_, _, _, let seconds):
            trainingDuration.recordNanoseconds(Int64(seconds * 1e9))
        case .updateSent:
            updatesSent.increment()
        case .adopted(let version):
            adoptions.increment()
            heldVersion.record(Int64(version))
        case .liveOutcomes(let version, let outcomes, let correct, let drift):
            let dimensions = [("version", "\(version)")]
            Counter(label: "tributary_edge_live_outcomes_total", dimensions: dimensions).increment(by: outcomes)
            Counter(label: "tributary_edge_live_correct_total", dimensions: dimensions).increment(by: correct)
            for (statistic, value) in drift {
                Gauge(label: "tributary_edge_drift_statistic", dimensions: [("statistic", statistic)]).record(value)
            }
        default:
            break
        }
    }
}
