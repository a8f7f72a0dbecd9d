import Foundation
import MetricsTestKit
import NIOCore
import NIOPosix
import Testing
@testable import TributaryCoordinatorTransport
import TributaryTransport

/// Connections that never start TLS, and too many connections from one address or in all, over
/// real TCP on loopback. Clients bind their source to 127.0.0.2, 127.0.0.3, … (all of 127/8 is
/// loopback on Linux) so one test can fill one address's room while a real edge on 127.0.0.1
/// still connects.
@Suite("Connection limits and the TLS handshake timeout", .serialized)
struct ConnectionLimitTests {
    /// A TCP connection from `source` that sends nothing (no ClientHello).
    static func idleConnection(port: Int, from source: String) async throws -> any Channel {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(to: try SocketAddress(ipAddress: source, port: 0))
            .connect(host: "127.0.0.1", port: port).get()
    }

    /// True when the server closed `channel` within `seconds` (a generous deadline: it decides
    /// failure only when the server never closes it).
    static func closedByServer(_ channel: any Channel, within seconds: Double = 60) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while channel.isActive {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// Waits (up to `seconds`, a deadline for a hang only) until the server has closed one of
    /// `channels`; returns the ones still open. The server admits connections in the order its
    /// event loops initialise them, not the order they were opened, so which one of several
    /// simultaneous connections is over the limit is not fixed: exactly one is.
    static func oneClosedByServer(_ channels: [any Channel], within seconds: Double = 60) async -> [any Channel]? {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while channels.allSatisfy(\.isActive) {
            guard ContinuousClock.now < deadline else { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return channels.filter(\.isActive)
    }

    @Test("a connection that never sends a ClientHello is closed after the handshake timeout")
    func idleConnectionsAreClosed() async throws {
        let fleet = try TestFleet()
        defer { fleet.remove() }
        var configuration = try await fleet.serverConfiguration()
        configuration.handshakeTimeout = .milliseconds(500)
        let server = try await RunningServer(configuration: configuration)
        let idle = try await (0..<3).asyncMap { _ in try await Self.idleConnection(port: server.port, from: "127.0.0.2") }
        for channel in idle {
            #expect(await Self.closedByServer(channel))
        }
        let refusal = await server.nextRefusal()
        #expect(refusal?.code == .tlsHandshakeTimeout, "\(String(describing: refusal))")
        #expect(refusal?.reason.contains("no TLS handshake completed within") == true)
        await server.stop()
    }

    @Test("one address at its limit: its next connection is closed at accept, an edge from another address completes a session")
    func perAddressLimit() async throws {
        let fleet = try TestFleet()
        defer { fleet.remove() }
        let metrics = TestMetrics()
        var configuration = try await fleet.serverConfiguration()
        configuration.handshakeTimeout = .seconds(600)  // the idle ones stay for the whole test
        configuration.maxConnectionsPerAddress = 3
        let server = try await RunningServer(configuration: configuration, metrics: TransportMetrics(factory: metrics))
        let opened = try await (0..<4).asyncMap { _ in try await Self.idleConnection(port: server.port, from: "127.0.0.2") }
        let held = try #require(await Self.oneClosedByServer(opened), "none of 4 connections from one address was closed")
        #expect(held.count == 3, "\(held.count) of 4 connections from an address limited to 3 are open")
        #expect(try metrics.expectCounter(TransportMetrics.connectionsLimitedLabel, [("limit", "per_address")]).totalValue == 1)

        let edge = try fleet.edgeConfiguration(try fleet.client("edge-1"))
        let error = await TransportRejectionTests().edgeExchange(port: server.port, hello: Samples.hello("edge-1"), configuration: edge)
        #expect(error == nil, "\(String(describing: error))")
        #expect(await server.nextUpdate()?.0 == "edge-1")
        // The held connections are still counted: the address is still full.
        let another = try await Self.idleConnection(port: server.port, from: "127.0.0.2")
        #expect(await Self.closedByServer(another))
        for channel in held { try? await channel.close() }
        await server.stop()
    }

    @Test("all connections at the total limit: the next one, from any address, is closed at accept")
    func totalLimit() async throws {
        let fleet = try TestFleet()
        defer { fleet.remove() }
        let metrics = TestMetrics()
        var configuration = try await fleet.serverConfiguration()
        configuration.handshakeTimeout = .seconds(600)
        configuration.maxConnections = 2
        let server = try await RunningServer(configuration: configuration, metrics: TransportMetrics(factory: metrics))
        let opened = [try await Self.idleConnection(port: server.port, from: "127.0.0.3"),
                      try await Self.idleConnection(port: server.port, from: "127.0.0.4"),
                      try await Self.idleConnection(port: server.port, from: "127.0.0.5")]
        let held = try #require(await Self.oneClosedByServer(opened), "none of 3 connections over a total limit of 2 was closed")
        #expect(held.count == 2, "\(held.count) of 3 connections over a total limit of 2 are open")
        #expect(try metrics.expectCounter(TransportMetrics.connectionsLimitedLabel, [("limit", "total")]).totalValue == 1)
        for channel in held { try? await channel.close() }
        await server.stop()
    }

    @Test("a total above the file-descriptor limit is refused, naming RLIMIT_NOFILE")
    func totalAboveTheDescriptorLimit() async throws {
        let fleet = try TestFleet()
        defer { fleet.remove() }
        var configuration = try await fleet.serverConfiguration()
        let budget = FileDescriptorLimit.connectionBudget
        try #require(budget < Int.max, "RLIMIT_NOFILE is unlimited here")
        configuration.maxConnections = budget + 1
        do {
            _ = try await CoordinatorServer.bind(host: "127.0.0.1", port: 0, configuration: configuration, logger: Samples.logger)
            Issue.record("maxConnections \(budget + 1) was accepted")
        } catch let error as TransportError {
            #expect(error.code == .invalidConfiguration)
            #expect(error.reason.contains("maxConnections is \(budget + 1); must be in 1...\(budget)"), "\(error)")
            #expect(error.reason.contains("RLIMIT_NOFILE"))
        }
    }

    @Test("the counts: per address and in all, freed on close; refusals logged at most once per interval")
    func countsAndLogThrottle() {
        var limits = ConnectionLimits(maxTotal: 3, maxPerAddress: 2, logInterval: .seconds(10))
        let t0 = ContinuousClock.now
        #expect(limits.opened(from: "a", now: t0) == .admit)
        #expect(limits.opened(from: "a", now: t0) == .admit)
        #expect(limits.opened(from: "a", now: t0) == .refuse(.perAddress, log: 1))
        #expect(limits.opened(from: "a", now: t0 + .seconds(1)) == .refuse(.perAddress, log: nil))
        #expect(limits.opened(from: "b", now: t0 + .seconds(2)) == .admit)
        #expect(limits.opened(from: "c", now: t0 + .seconds(3)) == .refuse(.total, log: nil))
        #expect(limits.opened(from: "c", now: t0 + .seconds(11)) == .refuse(.total, log: 3))
        limits.closed(from: "a")
        #expect(limits.total == 2 && limits.count(from: "a") == 1)
        #expect(limits.opened(from: "c", now: t0 + .seconds(12)) == .admit)
        limits.closed(from: "unknown")
        #expect(limits.total == 3)
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
