import Logging
import TributaryHTTP
import TributaryLearning
import TributaryLogging

/// What only an edge executable does, once, before it parses its command line.
package enum EdgeProcess {
    /// BLAS on one thread unless configured, and the log backend: info and above to stderr
    /// (libraries take a `logger:` and never pick one); the metrics backend: Prometheus, served at
    /// GET /metrics on the feedback endpoint.
    package static func bootstrap() {
        BLAS.useOneThreadUnlessConfigured()
        ProcessLogging.bootstrap(level: .info)
        MetricsExposition.bootstrapPrometheus()
    }
}
