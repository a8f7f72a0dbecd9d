import Logging
import TributaryLearning

/// What only an edge executable does, once, before it parses its command line.
package enum EdgeProcess {
    /// BLAS on one thread unless configured, and the log backend: info and above to stderr
    /// (libraries take a `logger:` and never pick one).
    package static func bootstrap() {
        BLAS.useOneThreadUnlessConfigured()
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
    }
}
