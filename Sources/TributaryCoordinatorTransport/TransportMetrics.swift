import Metrics
import NIOConcurrencyHelpers
import TributaryTransport

/// Counters the coordinator's transport keeps: sessions opened, refusals by code, connections
/// closed at accept by a connection limit (dimension `limit`: `total` or `per_address`), and
/// deny list reloads that failed (the last good list stayed in force).
public struct TransportMetrics: Sendable {
    public static let sessionsLabel = "tributary_transport_sessions_total"
    public static let refusedLabel = "tributary_transport_refused_total"
    public static let connectionsLimitedLabel = "tributary_transport_connections_limited_total"
    public static let denyListFailuresLabel = "tributary_transport_deny_list_failures_total"

    private let factory: any MetricsFactory
    private let sessions: Counter
    private let refused: NIOLockedValueBox<[String: Counter]>
    private let limitedTotal: Counter
    private let limitedPerAddress: Counter
    private let denyListFailures: Counter

    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        self.sessions = Counter(label: Self.sessionsLabel, factory: factory)
        self.refused = NIOLockedValueBox([:])
        self.limitedTotal = Counter(label: Self.connectionsLimitedLabel, dimensions: [("limit", "total")], factory: factory)
        self.limitedPerAddress = Counter(label: Self.connectionsLimitedLabel, dimensions: [("limit", "per_address")], factory: factory)
        self.denyListFailures = Counter(label: Self.denyListFailuresLabel, factory: factory)
    }

    /// A connection was closed at accept because a connection limit was reached.
    func recordLimited(_ limit: ConnectionLimits.Limit) {
        (limit == .total ? limitedTotal : limitedPerAddress).increment()
    }

    /// A deny list reload failed (bad line, file gone); the last good list stayed in force.
    func recordDenyListFailure() { denyListFailures.increment() }

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
