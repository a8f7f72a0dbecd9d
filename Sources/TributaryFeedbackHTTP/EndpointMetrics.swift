import Metrics
import TributaryFeedback

/// What the edge's endpoint counts (exported at `GET /metrics` when the executable bootstraps a
/// backend): predictions served and feedback records stored by kind (their provenance).
enum EndpointMetrics {
    static let predictions = Counter(label: "tributary_edge_predictions_total")

    static func stored(_ records: [FeedbackRecord]) {
        for record in records {
            Counter(label: "tributary_edge_feedback_total", dimensions: [("kind", record.provenance.rawValue)]).increment()
        }
    }
}
