import Testing
import TributaryNumerics
@testable import TributarySecureAggregation

@Suite("What the server learns")
struct SecAggPrivacyTests {
    @Test("honest clients refuse an unmasking request that asks for both shares of one client")
    func bothSharesRefused() throws {
        let n = 8
        let configuration = try SecAggConfiguration(
            roundID: 1, clientCount: n, neighbourCount: 7, threshold: 5, minimumClients: 5, graphSeed: 4,
            layout: SecAggRoundTests.layout(count: 16, clients: n))
        let inputs = randomInputs(clients: n, count: 16, magnitude: 1, seed: 20)
        var harness = try RoundHarness(configuration: configuration, inputs: inputs, drops: [3: .afterSharing], seed: 21)
        // A dishonest server: client 3 dropped after sharing, so every client is asked for its
        // masking-key share; the server also asks for its self-mask share (with both, a late masked
        // input from client 3 would be fully unmasked).
        harness.tamper = { message, _ in
            guard case .unmask(let selfMask, let maskingKey) = message else { return message }
            return .unmask(selfMaskOwners: selfMask + [3], maskingKeyOwners: maskingKey)
        }
        _ = harness.run()
        #expect(harness.refusals.count == n - 1)
        for (client, error) in harness.refusals {
            #expect(error.code == .bothSharesRequested)
            #expect(error.description == "client \(client) refuses to unmask: the server asks for both the self-mask share and the masking-key share of client 3, which together reveal its input (code bothSharesRequested)")
        }
        // No client answered unmasking, so the round aborts; no share was revealed.
        #expect(harness.sent.values.allSatisfy { !$0.contains { if case .unmask = $0 { true } else { false } } })
        #expect(harness.abort?.error.code == .tooFewClients)
    }

    @Test("a refusing client stays refused: it answers nothing afterwards")
    func refusalIsFinal() throws {
        let configuration = try SecAggConfiguration(
            roundID: 1, clientCount: 3, neighbourCount: 2, threshold: 2, minimumClients: 2, graphSeed: 1,
            layout: SecAggRoundTests.layout(count: 2, clients: 3))
        var generator = SeededGenerator(seed: 1)
        var client = try SecAggClient(configuration: configuration, index: 0, input: [[0.5, -0.5]], randomness: &generator)
        _ = try client.start()
        // Only one neighbour's keys: fewer than the threshold 2.
        var other = try SecAggClient(configuration: configuration, index: 1, input: [[0, 0]], randomness: &generator)
        guard case .advertiseKeys(let keys) = try other.start() else { Issue.record("no keys"); return }
        let first = #expect(throws: SecAggError.self) { try client.receive(.shareKeys(neighbourKeys: [keys])) }
        #expect(first?.code == .tooFewNeighbours)
        #expect(first?.reason == "client 0 has 1 neighbours left after advertising keys; it shares only with at least the threshold 2")
        let second = #expect(throws: SecAggError.self) { try client.receive(.shareKeys(neighbourKeys: [keys])) }
        #expect(second == first)
    }

    @Test("a client's masked vector is unrelated to its input: it differs from the plain encoding almost everywhere and its bits are balanced")
    func maskedVectorLooksRandom() throws {
        let n = 5, count = 100_000
        let configuration = try SecAggConfiguration(
            roundID: 12, clientCount: n, neighbourCount: 4, threshold: 3, minimumClients: 3, graphSeed: 6,
            layout: SecAggRoundTests.layout(count: count, clients: n))
        // A very structured input: all zeros except a ramp.
        let inputs: [[[Float]]] = (0..<n).map { c in [(0..<count).map { Float($0 % 100) / 100 * Float(c) }] }
        var harness = try RoundHarness(configuration: configuration, inputs: inputs, seed: 22)
        _ = harness.run()
        #expect(harness.sum != nil)
        let plain = try configuration.layout.encode(inputs[2])
        let masked = try #require(harness.sent[2]?.compactMap { message -> [UInt64]? in
            if case .maskedInput(_, let vector) = message { vector } else { nil }
        }.first)
        let same = zip(plain, masked).filter { $0 == $1 }.count
        #expect(same <= 2, "\(same) of \(count) coordinates equal their plain encoding")
        // Each bit position is set in about half of the coordinates (binomial sd ≈ 158 at 100k; 6 sd allowed).
        for bit in [0, 31, 62, 63] {
            let ones = masked.filter { ($0 >> UInt64(bit)) & 1 == 1 }.count
            #expect(abs(ones - count / 2) < 950, "bit \(bit) set in \(ones) of \(count)")
        }
        // The plain encoding is far from balanced (small values: high bits follow the sign).
        #expect(plain.filter { ($0 >> 62) & 1 == 1 }.count < count / 10)
    }

    @Test("the server cannot read the shares it forwards: another client's key does not open them")
    func sharesAreSealed() throws {
        let n = 4
        let configuration = try SecAggConfiguration(
            roundID: 2, clientCount: n, neighbourCount: 3, threshold: 2, minimumClients: 2, graphSeed: 1,
            layout: SecAggRoundTests.layout(count: 2, clients: n))
        var harness = try RoundHarness(configuration: configuration, inputs: randomInputs(clients: n, count: 2, magnitude: 1, seed: 3), seed: 4)
        // Deliver to client 1, as client 0's share, the one client 2 sealed for it.
        harness.tamper = { message, to in
            guard to == 1, case .maskedInput(let shares) = message, let fromTwo = shares.first(where: { $0.from == 2 }) else { return message }
            return .maskedInput(shares: shares.map { $0.from == 0 ? EncryptedShare(from: 0, to: 1, sealed: fromTwo.sealed) : $0 })
        }
        _ = harness.run()
        #expect(harness.refusals[1]?.code == .shareDecryptionFailed)
    }
}

