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
}
