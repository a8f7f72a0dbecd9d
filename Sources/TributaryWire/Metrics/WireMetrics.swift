import Metrics

/// The wire layer's metrics, created once with fixed dimensions:
/// `tributary_wire_rejected_frames_total{code="…"}`, one counter per ``WireError/Code``.
public struct WireMetrics: Sendable {
    public static let rejectedFramesLabel = "tributary_wire_rejected_frames_total"

    private let rejected: [WireError.Code: Counter]

    /// Uses the process-wide factory by default; tests pass their own.
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        var rejected: [WireError.Code: Counter] = [:]
        for code in WireError.Code.all {
            rejected[code] = Counter(label: Self.rejectedFramesLabel, dimensions: [("code", code.description)], factory: factory)
        }
        self.rejected = rejected
    }

    /// Counts one refused frame or message.
    public func recordRejection(_ error: WireError) {
        rejected[error.code]?.increment()
    }
}
