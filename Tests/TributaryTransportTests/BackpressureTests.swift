import Foundation
import NIOConcurrencyHelpers
import Testing
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
