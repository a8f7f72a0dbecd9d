import Metrics
import NIOConcurrencyHelpers
import Prometheus

/// The process's metrics in Prometheus text, for `GET /metrics`. Installed once by an
/// executable (``bootstrapPrometheus()``); a library never bootstraps the metrics system.
public enum MetricsExposition {
    private static let renderer = NIOLockedValueBox<(@Sendable () -> [UInt8])?>(nil)

    /// The text format's content type (Prometheus exposition format 0.0.4).
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Makes `render` the answer of `GET /metrics` on every endpoint of this process.
    public static func install(_ render: @escaping @Sendable () -> [UInt8]) {
        renderer.withLockedValue { $0 = render }
    }

    /// Bootstraps swift-metrics with a Prometheus registry (timers as histograms in seconds) and
    /// installs it for `GET /metrics`. Call once, from an executable's start.
    public static func bootstrapPrometheus() {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(300),
        ]
        MetricsSystem.bootstrap(factory)
        install { registry.emitToBuffer() }
    }

    /// `GET /metrics`: the text exposition, or 404 when this process exports none.
    public static func response() -> JSONResponse {
        guard let render = renderer.withLockedValue({ $0 }) else {
            return .error(404, "this process exports no metrics (GET /metrics is served by `tributary coordinator serve` and `tributary-edge run`)")
        }
        return JSONResponse(status: 200, body: String(decoding: render(), as: UTF8.self), contentType: contentType)
    }
}
