import Testing
import TributaryNumerics
@testable import TributarySecureAggregation

@Suite("Secure aggregation parts")
struct SecAggPartsTests {
    @Test("fixed point: the scale is the largest power of two that keeps maxSummands clipped values from wrapping")
    func fixedPointScale() throws {
        let encoding = try FixedPointEncoding(bits: 64, clip: 1, maxSummands: 1_000)
        // (2^63 − 1) / 1000 ≈ 9.2e15 → 2^53 (9.0e15); 2^54 · 1000 > 2^63.
        #expect(encoding.scale == 0x1p53)
        // maxSummands values at ±clip sum to ±maxSummands without wrapping.
        for value: Float in [1, -1, 5, -5] {
            let e = try encoding.encode(value)
            let sum = (0..<1_000).reduce(UInt64(0)) { acc, _ in acc &+ e }
            #expect(encoding.decode(sum) == Double(max(-1, min(1, value))) * 1_000)
        }
        let small = try FixedPointEncoding(bits: 32, clip: 100, maxSummands: 100)
        #expect(small.scale == 0x1p17)
        let e = try small.encode(-42.5)
        #expect(e < 1 << 32)
        #expect(small.decode((e &+ e) & small.mask) == -85)
    }

    @Test("fixed point refuses what cannot be encoded, naming the value")
    func fixedPointErrors() throws {
        let encoding = try FixedPointEncoding(bits: 64, clip: 1, maxSummands: 10)
        let nan = #expect(throws: SecAggError.self) { try encoding.encode(.nan) }
        #expect(nan?.code == .invalidInput)
        let bits = #expect(throws: SecAggError.self) { try FixedPointEncoding(bits: 16, clip: 1, maxSummands: 10) }
        #expect(bits?.reason == "fixed-point ring bits is 16; use 32 or 64")
        let room = #expect(throws: SecAggError.self) { try FixedPointEncoding(bits: 32, clip: 1, maxSummands: 1 << 32) }
        #expect(room?.reason == "fixed-point maxSummands is 4294967296; a 32-bit ring holds at most 2147483647 summands")
        let resolution = #expect(throws: SecAggError.self) { try FixedPointEncoding(bits: 32, clip: 0.1, maxSummands: 1 << 30) }
        #expect(resolution?.reason == "fixed-point clip 0.1 with 1073741824 summands leaves no resolution in a 32-bit ring (scale 8.0); lower the clip or the summands, or use 64 bits")
        let layout = try MaskLayout(segments: [MaskSegment(name: "delta", count: 2, encoding: encoding)])
        let length = #expect(throws: SecAggError.self) { try layout.encode([[1, 2, 3]]) }
        #expect(length?.reason == "input segment delta has 3 values; the layout expects 2")
        let infinite = #expect(throws: SecAggError.self) { try layout.encode([[1, .infinity]]) }
        #expect(infinite?.reason == "input segment delta[1]: value inf is not finite; only finite values can be encoded")
    }

    @Test("configuration refuses a threshold at or below half the neighbours and an odd sparse degree")
    func configurationErrors() throws {
        let layout = try SecAggRoundTests.layout(count: 1, clients: 100)
        let low = #expect(throws: SecAggError.self) {
            try SecAggConfiguration(roundID: 1, clientCount: 50, neighbourCount: 10, threshold: 5, minimumClients: 5, graphSeed: 1, layout: layout)
        }
        #expect(low?.reason == "threshold is 5; with 10 neighbours it must be in 6...10 (more than half the neighbours)")
        let odd = #expect(throws: SecAggError.self) {
            try SecAggConfiguration(roundID: 1, clientCount: 50, neighbourCount: 11, threshold: 7, minimumClients: 7, graphSeed: 1, layout: layout)
        }
        #expect(odd?.code == .invalidConfiguration)
        let wrap = #expect(throws: SecAggError.self) {
            try SecAggConfiguration(roundID: 1, clientCount: 200, neighbourCount: 20, threshold: 11, minimumClients: 11, graphSeed: 1, layout: layout)
        }
        #expect(wrap?.reason == "the mask layout is scaled for 100 summands; 200 clients could wrap the sum")
    }

    @Test("recommended parameters grow as log n and keep every client's threshold reachable at the dropout rate")
    func recommendedParameters() throws {
        let layout = try SecAggRoundTests.layout(count: 1, clients: 10_000)
        let small = try SecAggConfiguration.recommended(roundID: 1, clientCount: 10, graphSeed: 1, layout: layout)
        #expect(small.neighbourCount == 9)
        func k(_ n: Int, _ dropout: Double) throws -> Int {
            try SecAggConfiguration.recommended(roundID: 1, clientCount: n, dropoutRate: dropout, graphSeed: 1, layout: layout).neighbourCount
        }
        // Designed for 10 % dropout.
        let (k100, k1000, k10000) = (try k(100, 0.1), try k(1_000, 0.1), try k(10_000, 0.1))
        // For 30 % dropout the ring must be much wider: the complete graph at 100 clients.
        #expect(try k(100, 0.3) == 99)
        #expect(try k(1_000, 0.3) < 300)
        #expect(k100 < 99 && k1000 < k10000 && k10000 < 300, "k = \(k100), \(k1000), \(k10000)")
        // From 1,000 to 10,000 clients k grows by much less than 10×.
        #expect(Double(k10000) < 1.5 * Double(k1000))
    }

    @Test("Shamir: any t of the shares rebuild a 32-byte secret; t − 1 shares do not")
    func shamir() throws {
        var generator = SeededGenerator(seed: 30)
        let secret = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let polynomials = ShamirPolynomials(secret: secret, threshold: 4, using: &generator)
        let shares = (1...7).map { (x: UInt64($0), values: polynomials.evaluate(at: UInt64($0))) }
        for _ in 0..<10 {
            let pick = Array(shares.shuffled(using: &generator).prefix(4))
            #expect(ShamirPolynomials.reconstruct(pick, threshold: 4) == secret)
        }
        #expect(ShamirPolynomials.reconstruct(Array(shares.prefix(3)), threshold: 4) == nil)
        // Three shares interpolated as if the threshold were 3 give another value, not the secret.
        #expect(ShamirPolynomials.reconstruct(Array(shares.prefix(3)), threshold: 3) != secret)
        // Field arithmetic: a · a⁻¹ = 1.
        for a: UInt64 in [1, 2, 12345, MersenneField.modulus - 1] {
            #expect(MersenneField.multiply(a, MersenneField.inverse(a)) == 1)
        }
    }

    @Test("the neighbour graph is symmetric, k-regular, deterministic from its seed and changes with it")
    func neighbourGraph() {
        let graph = NeighbourGraph(clientCount: 101, degree: 14, seed: 77)
        for client in 0..<101 {
            let neighbours = graph.neighbours(of: client)
            #expect(neighbours.count == 14 && !neighbours.contains(client))
            for v in neighbours { #expect(graph.areNeighbours(v, client) && graph.neighbours(of: v).contains(client)) }
        }
        #expect(NeighbourGraph(clientCount: 101, degree: 14, seed: 77) == graph)
        #expect(NeighbourGraph(clientCount: 101, degree: 14, seed: 78).neighbours(of: 0) != graph.neighbours(of: 0))
        #expect(NeighbourGraph(clientCount: 6, degree: 9, seed: 1).neighbours(of: 2) == [0, 1, 3, 4, 5])
    }

    @Test("a pairwise mask added by one client and subtracted by the other cancels; 32-bit rings stay in range")
    func masksCancel() {
        let seed = SymmetricKey(data: [UInt8](repeating: 7, count: 32))
        for bits in [32, 64] {
            var vector = [UInt64](repeating: 5, count: 20_000)
            MaskExpansion.apply(seed: seed, to: &vector, subtract: false, bits: bits)
            #expect(vector.filter { $0 == 5 }.count < 3)
            if bits == 32 { #expect(vector.allSatisfy { $0 < 1 << 32 }) }
            MaskExpansion.apply(seed: seed, to: &vector, subtract: true, bits: bits)
            #expect(vector.allSatisfy { $0 == 5 })
        }
    }
}

import Crypto
