import TributaryTransport

extension EdgeConfiguration {
    /// Checks every value once; the error names the key and the value.
    public func validated() throws -> EdgeConfiguration {
        func invalid(_ key: String, _ value: Any, _ rule: String) -> EdgeError {
            EdgeError(.invalidConfiguration, "\(key) is \(value); \(rule)")
        }
        guard feedback.featureCount > 0 else { throw invalid("feedback.features", feedback.featureCount, "must be > 0") }
        guard feedback.classCount > 0 else { throw invalid("feedback.classes", feedback.classCount, "must be > 0") }
        if let max = feedback.maxExamples, max <= 0 { throw invalid("feedback.max_examples", max, "must be > 0") }
        guard context.windowExamples > 0 else { throw invalid("context.window_examples", context.windowExamples, "must be > 0") }
        guard context.replay.capacity >= 0 else { throw invalid("context.replay_capacity", context.replay.capacity, "must be >= 0") }
        if !Self.isLoopback(ingestion.listen.host) {
            throw invalid("ingestion.listen", ingestion.listen,
                          "the feedback endpoint has no authentication and listens on loopback only (127.0.0.1, ::1 or localhost)")
        }
        guard triggers.checkInterval >= .milliseconds(10) else { throw invalid("triggers.check_interval", triggers.checkInterval, "must be >= 10ms") }
        guard idleTimeout >= heartbeatInterval * 2 else {
            throw invalid("session.idle_timeout", idleTimeout, "must be at least 2 × session.heartbeat (\(heartbeatInterval * 2))")
        }
        try reconnect.validate()
        return self
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
