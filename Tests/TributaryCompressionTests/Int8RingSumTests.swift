import Testing
import TributaryCompression
import TributaryNumerics

@Suite struct Int8RingSumTests {
    @Test func integersWithSharedScalesSumInTheRingToTheSumOfTheDecodedVectors() throws {
        let quantizer = try Int8Quantizer(blockSize: 64, scale: .shared(0.001))
        var generator = SeededGenerator(seed: 1)
        let updates = try (0..<30).map { try quantizer.encode(Int8QuantizerTests.vector(200, seed: UInt64($0), scale: 0.05), generator: &generator) }
        var sum = try Int8RingSum(count: 200, blockSize: 64, scales: updates[0].scales)
        for update in updates { try sum.add(update) }
        var expected = [Float](repeating: 0, count: 200)
        for update in updates { for (index, value) in update.decoded().enumerated() { expected[index] += value } }
        let decoded = sum.decoded()
        for index in expected.indices { #expect(abs(decoded[index] - expected[index]) < 1e-5) }
        // Negative sums are read back as negative: the ring element is the two's complement.
        #expect(decoded.contains { $0 < 0 })
    }

    @Test func maskedElementsThatWrapStillSumExactly() throws {
        // Secure aggregation adds masks that cancel mod 2³²: the masked elements wrap, the sum does not.
        let quantizer = try Int8Quantizer(blockSize: 4, rounding: .nearest, scale: .shared(1))
        var generator = SeededGenerator(seed: 2)
        let a = try quantizer.encode([3, -100, 127, 0], generator: &generator)
        let b = try quantizer.encode([-5, -100, 127, 1], generator: &generator)
        let mask: [UInt32] = [0xFFFF_FFF0, 0x8000_0000, 7, 0xDEAD_BEEF]
        func masked(_ update: Int8Blocks, _ sign: Int) -> [UInt32] {
            update.values.indices.map { UInt32(bitPattern: Int32(update.values[$0])) &+ (sign > 0 ? mask[$0] : 0 &- mask[$0]) }
        }
        var sum = try Int8RingSum(count: 4, blockSize: 4, scales: [1])
        try sum.add(ringElements: masked(a, 1), clients: 1)
        try sum.add(ringElements: masked(b, -1), clients: 1)
        #expect(sum.decoded() == [-2, -200, 254, 1])
        #expect(sum.clients == 2)
    }

    @Test func anUpdateWithOtherScalesIsRefused() throws {
        var generator = SeededGenerator(seed: 3)
        let own = try Int8Quantizer(blockSize: 4).encode([1, 2, 3, 4], generator: &generator)
        var sum = try Int8RingSum(count: 4, blockSize: 4, scales: [0.5])
        #expect(throws: CompressionError(.mismatch, "")) { try sum.add(own) }
        let companded = try Int8Quantizer(blockSize: 4, scale: .shared(0.5), companding: .squareRoot).encode([1, 2, 3, 4], generator: &generator)
        #expect(throws: CompressionError(.mismatch, "")) { try sum.add(companded) }
    }
}
