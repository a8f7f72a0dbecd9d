import Testing
import TributaryEdge
import TributaryTransport

@Suite struct ReconnectBackoffTests {
    @Test func growsExponentiallyWithBoundedJitterAndIsCapped() {
        var backoff = ReconnectBackoff(configuration: .init(initial: .seconds(1), maximum: .seconds(20), multiplier: 2, jitter: 0.2), seed: 7)
        let delays = (0..<8).map { _ in backoff.nextDelay() }
        for (attempt, delay) in delays.enumerated() {
            let base = min(20.0, Double(1 << attempt))
            let seconds = Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18
            #expect(seconds >= base * 0.8 - 0.001 && seconds <= min(20, base * 1.2) + 0.001, "attempt \(attempt): \(delay)")
        }
        #expect(delays.last! <= .seconds(20))
        backoff.reset()
        #expect(backoff.nextDelay() <= .milliseconds(1200))
    }

    @Test func sameSeedSameDelaysOtherSeedOtherJitter() {
        var a = ReconnectBackoff(configuration: .init(), seed: 3), b = ReconnectBackoff(configuration: .init(), seed: 3)
        var c = ReconnectBackoff(configuration: .init(), seed: 4)
        let first = (0..<5).map { _ in a.nextDelay() }
        #expect(first == (0..<5).map { _ in b.nextDelay() })
        #expect(first != (0..<5).map { _ in c.nextDelay() })
    }

    @Test func badSettingsAreRefusedByName() {
        let error = #expect(throws: EdgeError.self) {
            try ReconnectBackoff.Configuration(initial: .seconds(10), maximum: .seconds(5)).validate()
        }
        #expect(error?.reason == "reconnect.maximum is 5.0 seconds; must be at least reconnect.initial (10.0 seconds)")
    }

    @Test func revokedAndRefusedCertificatesAreFatalTheRestReconnects() {
        #expect(SessionEnding.after(TransportError(.revoked, "coordinator rejected this client: gw-1 is revoked")) != .reconnect)
        #expect(SessionEnding.after(TransportError(.certificateExpired, "expired")) != .reconnect)
        #expect(SessionEnding.after(TransportError(.connectFailed, "connection refused")) == .reconnect)
        #expect(SessionEnding.after(TransportError(.idleTimeout, "silent")) == .reconnect)
        #expect(SessionEnding.after(TransportError(.connectionClosed, "closed")) == .reconnect)
        guard case .fatal(let message) = SessionEnding.after(TransportError(.revoked, "coordinator rejected this client: gw-1 is revoked")) else { return }
        #expect(message.hasPrefix("coordinator rejected this client: gw-1 is revoked (code revoked); not retried"))
    }
}
