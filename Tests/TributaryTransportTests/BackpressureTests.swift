import Foundation
import NIOConcurrencyHelpers
import Testing
import TributaryCoordinatorTransport
import TributaryEdgeTransport
import TributarySession
import TributaryTransport
import TributaryWire

@Suite("Backpressure over mutual TLS 1.3", .serialized)
struct BackpressureTests {
    @Test("a stalled reader makes the sender wait; every offer then arrives, in order, with no unclean close")
    func slowReader() async throws {
        let fleet = try TestFleet()
        defer { fleet.remove() }
        let offers = 12
        let floats = 4 * 1024 * 1024  // 16 MB per offer, 192 MB in all
        let sent = NIOLockedValueBox(0)
        let server = try await CoordinatorServer.bind(host: "127.0.0.1", port: 0, configuration: try await fleet.serverConfiguration(),
                                                      logger: Samples.logger)
        let task = Task {
            try await server.run { client in
                for round in 1...UInt64(offers) {
                    try await client.connection.send(.roundOffer(Samples.offer(round: round, count: floats)))
                    sent.withLockedValue { $0 += 1 }
                }
                try await client.connection.send(.goodbye(Goodbye(reason: .done)))
                while (try? await client.connection.next()) != nil {}
            }
        }
        var edge = try fleet.edgeConfiguration(try fleet.client("edge-1"))
        edge.inboundMessageBuffer = 1
        let received = try await EdgeClient.withSession(
            host: "127.0.0.1", port: server.localAddress.port!, hello: Samples.hello("edge-1"),
            configuration: edge, logger: Samples.logger
        ) { _, connection in
            try await Task.sleep(for: .seconds(2))  // the application is busy and reads nothing
            let whileStalled = sent.withLockedValue { $0 }
            // send() returns when a message's last frame reached the socket: with the reader's
            // inbound buffer at one message, at most a few offers can be in flight.
            #expect(whileStalled <= 3, "the coordinator got \(whileStalled) of \(offers) offers (\(whileStalled * floats * 4 / 1_000_000) MB) past a reader that read nothing")
            var rounds: [UInt64] = []
            while let message = try await connection.next() {
                if case .roundOffer(let offer) = message { rounds.append(offer.roundID) }
            }
            return rounds
        }
        #expect(received == (1...UInt64(offers)).map { $0 })
        task.cancel()
        await server.close()
        _ = try? await task.value
    }
}

@Suite("The coordinator's inbound transfer limit over mutual TLS 1.3", .serialized)
struct InboundLimitTests {
    // The idle timeout is what the test is about, so it stays short; it is 3 s rather than 1 s
    // so that a heartbeat delayed by a loaded machine (load average 9 on 2 cores) does not end a
    // session that is not idle, and the permit is held well past it.
    @Test("with one receive permit held for 10 s, the other client's Update waits unread and is not dropped as idle (idle timeout 3 s)")
    func heldBackClientIsNotIdle() async throws {
        let fleet = try TestFleet()
        defer { fleet.remove() }
        var configuration = try await fleet.serverConfiguration()
        configuration.concurrentReceives = 1
        configuration.session = SessionConfiguration(heartbeatInterval: .milliseconds(250), idleTimeout: .seconds(3),
                                                     handshakeTimeout: TestFleet.handshakeTimeout)
        let server = try await CoordinatorServer.bind(host: "127.0.0.1", port: 0, configuration: configuration, logger: Samples.logger)
        let received = NIOLockedValueBox<[String]>([])
        let task = Task {
            try await server.run { client in
                try await client.connection.send(.roundOffer(Samples.offer()))
                while let message = try await client.connection.next() {
                    guard case .update = message else { continue }
                    let first = received.withLockedValue { $0.append(client.clientID); return $0.count == 1 }
                    // The first Update keeps the only permit until this task asks for its next message.
                    if first { try await Task.sleep(for: .seconds(10)) }
                    try await client.connection.send(.goodbye(Goodbye(reason: .done)))
                }
            }
        }
        let port = server.localAddress.port!
        let ends = try await withThrowingTaskGroup(of: String?.self) { group in
            for id in ["edge-1", "edge-2"] {
                let edge = try fleet.edgeConfiguration(try fleet.client(id))
                group.addTask {
                    do {
                        try await EdgeClient.withSession(host: "127.0.0.1", port: port, hello: Samples.hello(id),
                                                         configuration: edge, logger: Samples.logger) { _, connection in
                            while let message = try await connection.next() {
                                if case .roundOffer = message {
                                    try await connection.send(.update(Samples.update(count: 100_000)))  // 400 KB
                                }
                            }
                        }
                        return nil
                    } catch {
                        return "\(id): \(error)"
                    }
                }
            }
            var ends: [String] = []
            for try await end in group { if let end { ends.append(end) } }
            return ends
        }
        #expect(ends.isEmpty, "\(ends)")
        #expect(Set(received.withLockedValue { $0 }) == ["edge-1", "edge-2"])
        task.cancel()
        await server.close()
        _ = try? await task.value
    }
}
