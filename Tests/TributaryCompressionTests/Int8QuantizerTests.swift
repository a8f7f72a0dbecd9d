import Testing
import TributaryCompression
import TributaryNumerics

@Suite struct Int8QuantizerTests {
    static func vector(_ count: Int, seed: UInt64, scale: Float = 0.01) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in scale * generator.nextGaussian() }
    }

    @Test func stochasticRoundingIsUnbiased() throws {
        // Averaged over 4,000 seeded encodings, every decoded element is within 1 % of a step of
        // its input (one step is the block's max |x| / 127; the standard error of the mean is
        // ≤ 0.5 / √4000 ≈ 0.8 % of a step, so 4 % is five standard errors).
        let input = Self.vector(512, seed: 1)
        let quantizer = try Int8Quantizer(blockSize: 256)
        var generator = SeededGenerator(seed: 2)
        var mean = [Double](repeating: 0, count: input.count)
        let draws = 4000
        var scales: [Float] = []
        for _ in 0..<draws {
            let encoded = try quantizer.encode(input, generator: &generator)
            scales = encoded.scales
            for (index, value) in encoded.decoded().enumerated() { mean[index] += Double(value) / Double(draws) }
        }
        for index in input.indices {
            let step = Double(scales[index / 256])
            #expect(abs(mean[index] - Double(input[index])) < 0.04 * step, "element \(index): mean \(mean[index]) vs \(input[index])")
        }
        // Nearest rounding is biased element by element: its error does not average out.
        let nearest = try Int8Quantizer(blockSize: 256, rounding: .nearest).encode(input, generator: &generator).decoded()
        let biased = input.indices.filter { abs(Double(nearest[$0] - input[$0])) > 0.2 * Double(scales[$0 / 256]) }
        #expect(biased.count > 50)
    }

    @Test func eachElementIsWithinOneStepAndTheBlockMaximumIsExact() throws {
        let input = Self.vector(1000, seed: 3)
        var generator = SeededGenerator(seed: 4)
        let encoded = try Int8Quantizer(blockSize: 100).encode(input, generator: &generator)
        #expect(encoded.scales.count == 10)
        let decoded = encoded.decoded()
        for index in input.indices { #expect(abs(decoded[index] - input[index]) <= encoded.scales[index / 100] * 1.0001) }
        for block in 0..<10 {
            let range = block * 100..<(block + 1) * 100
            let largest = range.max { abs(input[$0]) < abs(input[$1]) }!
            #expect(abs(encoded.values[largest]) == 127)
        }
    }

    @Test func aSharedScaleClampsAndIsTheSameForEveryBlock() throws {
        var generator = SeededGenerator(seed: 5)
        let encoded = try Int8Quantizer(blockSize: 2, rounding: .nearest, scale: .shared(0.5)).encode([100, -1, 0.25, 0], generator: &generator)
        #expect(encoded.scales == [0.5, 0.5])
        #expect(encoded.values == [127, -2, 1, 0])
    }

    @Test func theByteFormatRoundTripsAndIsAQuarterOfFloat32() throws {
        let input = Self.vector(4810, seed: 6)
        var generator = SeededGenerator(seed: 7)
        let encoded = try Int8Quantizer().encode(input, generator: &generator)
        let bytes = encoded.serialized
        // 8 header + 4 block size + 19 scales · 4 + 4810 values.
        #expect(bytes.count == 8 + 4 + 19 * 4 + 4810)
        #expect(Array(bytes.prefix(4)) == [0x54, 0x43, 1, 1])
        #expect(try Int8Blocks(serialized: bytes) == encoded)
        #expect(Double(bytes.count) / Double(4 * input.count) < 0.255)
    }

    @Test func nonFiniteInputAndBadSettingsAreRefused() throws {
        var generator = SeededGenerator(seed: 8)
        do {
            _ = try Int8Quantizer().encode([1, .infinity], generator: &generator)
            Issue.record("∞ was quantised")
        } catch let error as CompressionError {
            #expect(error.code == .nonFiniteInput)
            #expect(error.reason.contains("value [1] to quantise is inf"))
        }
        #expect(throws: CompressionError(.invalidConfiguration, "")) { try Int8Quantizer(blockSize: 0) }
        #expect(throws: CompressionError(.invalidConfiguration, "")) { try Int8Quantizer(scale: .shared(-1)) }
    }
}
