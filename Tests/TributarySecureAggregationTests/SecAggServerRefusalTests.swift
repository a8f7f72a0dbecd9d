import Foundation
import Testing
import TributaryNumerics
@testable import TributarySecureAggregation

@Suite("What the server refuses")
struct SecAggServerRefusalTests {
    static func refusal(_ actions: [SecAggServerAction]) -> SecAggError? {
        guard actions.count == 1, case .refuse(_, let error) = actions[0] else { return nil }
        return error
    }

    @Test("messages out of phase, repeated, claiming another client or malformed are refused, naming the client and the value")
    func refusals() throws {
        let n = 3
        let configuration = try SecAggConfiguration(
            roundID: 8, clientCount: n, neighbourCount: 2, threshold: 2, minimumClients: 2, graphSeed: 1,
            layout: SecAggRoundTests.layout(count: 8, clients: n))
        var generator = SeededGenerator(seed: 60)
        var clients = try (0..<n).map { try SecAggClient(configuration: configuration, index: $0, input: [[Float](repeating: 0.25, count: 8)], randomness: &generator) }
        var server = SecAggServer(configuration: configuration)
        let now = ContinuousClock.now
        _ = server.start(now: now)

        let early = Self.refusal(server.received(.maskedInput(client: 0, vector: [UInt64](repeating: 0, count: 8)), from: 0, now: now))
        #expect(early?.description == "client 0 sent a maskedInput message during advertiseKeys (code unexpectedMessage)")
        let short = Self.refusal(server.received(.advertiseKeys(AdvertisedKeys(client: 1, encryptionKey: Data(count: 31), maskingKey: Data(count: 32))), from: 1, now: now))
        #expect(short?.reason == "client 1's encryption key has 31 bytes; an X25519 key has 32")
        let first = try clients[0].start()
        let impostor = Self.refusal(server.received(first, from: 2, now: now))
        #expect(impostor?.reason == "the advertiseKeys message from client 2 names client 0; the round has clients 0..<3")
        #expect(server.received(first, from: 0, now: now).isEmpty)
        let twice = Self.refusal(server.received(first, from: 0, now: now))
        #expect(twice?.reason == "client 0 advertised its keys twice")

        // Take the round to the masked-input phase, then send a vector of the wrong length.
        var requests: [Int: SecAggServerMessage] = [:]
        func collect(_ actions: [SecAggServerAction]) { for case .send(let m, let to) in actions { requests[to] = m } }
        for i in 1..<n { collect(server.received(try clients[i].start(), from: i, now: now)) }
        for i in 0..<n { collect(server.received(try clients[i].receive(requests[i]!), from: i, now: now)) }
        #expect(server.phase == .maskedInput)
        let wrongLength = Self.refusal(server.received(.maskedInput(client: 0, vector: [1, 2, 3]), from: 0, now: now))
        #expect(wrongLength?.reason == "client 0's masked input has 3 elements; the layout has 8")
        // The refused client can still send its real masked input.
        for i in 0..<n { collect(server.received(try clients[i].receive(requests[i]!), from: i, now: now)) }
        #expect(server.phase == .unmasking)
        #expect(server.contributors == [0, 1, 2])
    }
}
