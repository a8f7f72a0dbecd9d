import Metrics
import NIOConcurrencyHelpers

/// Counters the coordinator's transport keeps: sessions opened and refusals by code.
public struct TransportMetrics: Sendable {
    public static let sessionsLabel = "tributary_transport_sessions_total"
    public static let refusedLabel = "tributary_transport_refused_total"

    private let factory: any MetricsFactory
    private let sessions: Counter
    private let refused: NIOLockedValueBox<[String: Counter]>

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        self.sessions = Counter(label: Self.sessionsLabel, factory: factory)
        self.refused = NIOLockedValueBox([:])
    }

    /// A client passed the certificate check and was sent Welcome.
    func recordSession() { sessions.increment() }

    func recordRefusal(_ code: TransportError.Code) {
        let counter = refused.withLockedValue { counters in
            if let counter = counters[code.name] { return counter }
            let counter = Counter(label: Self.refusedLabel, dimensions: [("code", code.name)], factory: factory)
            counters[code.name] = counter
            return counter
        }
        counter.increment()
    }
}
