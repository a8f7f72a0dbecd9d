import ArgumentParser
import Logging
import TributaryNumerics
import TributaryCLI
import TributaryHTTP
import TributaryLogging

@main
struct TributaryMain {
    static func main() async {
        BLAS.useOneThreadUnlessConfigured()
        // Only the executable picks the log backend (libraries take a `logger:`).
        // Text until a command picks JSON (`--log-format json`, `logging.format: json`).
        ProcessLogging.bootstrap(level: .info)
        // And the metrics backend: Prometheus, served at GET /metrics on the admin endpoint.
        MetricsExposition.bootstrapPrometheus()
        await TributaryCommand.runMain()
    }
}
