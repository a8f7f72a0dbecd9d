import Testing
import TributaryCompression
import TributaryNumerics

/// Bytes an upload takes against Float32 for a digits model (64 → 64 → 10: 4,810 parameters)
/// and a 100k-parameter model: delta and Fisher each as a payload.
@Suite struct UploadSizeTests {
    @Test(arguments: [4810, 100_000])
    func int8DeltaAndInt8FisherTakeAtMost027OfFloat32(_ count: Int) throws {
        var generator = SeededGenerator(seed: 1)
        let delta = Int8QuantizerTests.vector(count, seed: 2)
        let fisher = Int8QuantizerTests.vector(count, seed: 3).map { $0 * $0 }
        let quantizer = try Int8Quantizer()
        let bytes = try quantizer.encode(delta, generator: &generator).serialized.count + quantizer.encode(fisher, generator: &generator).serialized.count
        let ratio = Double(bytes) / Double(2 * 4 * count)
        #expect(ratio <= 0.27, "int8 + int8: \(ratio)")
        let fp16Fisher = try Float16Vector(encoding: fisher).serialized.count
        let mixed = Double(try quantizer.encode(delta, generator: &generator).serialized.count + fp16Fisher) / Double(2 * 4 * count)
        #expect(mixed <= 0.38, "int8 + fp16: \(mixed)")
    }

    @Test func float16KeepsTheFishersRelativePrecision() throws {
        let fisher: [Float] = [1e-3, 0.5, 12.25, 7e4, 1e-9]
        let decoded = try Float16Vector(encoding: fisher).decoded()
        for index in 0..<3 { #expect(abs(decoded[index] - fisher[index]) <= fisher[index] * 0.001) }
        #expect(decoded[3] == 65504)  // clamped to fp16's largest
        #expect(decoded[4] == 0)  // below fp16's smallest subnormal
    }

    @Test func squareRootCompandingKeepsASkewedFishersSmallEntries() throws {
        // A heavy-tailed Fisher (squares of Gaussians, cubed): linear int8 rounds most entries of a
        // block to 0 or 1 step; int8 of the square roots keeps them within a few percent.
        let fisher = Int8QuantizerTests.vector(2560, seed: 9, scale: 1).map { abs($0 * $0 * $0) }
        var generator = SeededGenerator(seed: 10)
        func medianRelativeError(_ quantizer: Int8Quantizer) throws -> Float {
            let encoded = try quantizer.encode(fisher, generator: &generator)
            let decoded = try Int8Blocks(serialized: encoded.serialized, companding: quantizer.companding).decoded()
            let errors = fisher.indices.filter { fisher[$0] > 0 }.map { abs(decoded[$0] - fisher[$0]) / fisher[$0] }.sorted()
            return errors[errors.count / 2]
        }
        let linear = try medianRelativeError(Int8Quantizer(rounding: .nearest))
        let squareRoot = try medianRelativeError(Int8Quantizer(rounding: .nearest, companding: .squareRoot))
        #expect(squareRoot < 0.1, "square root: \(squareRoot)")
        #expect(linear > 3 * squareRoot, "linear \(linear), square root \(squareRoot)")
        do {
            _ = try Int8Quantizer(companding: .squareRoot).encode([1, -0.5], generator: &generator)
            Issue.record("a negative value was square-root companded")
        } catch let error as CompressionError {
            #expect(error.code == .negativeInput)
        }
    }
}
