import Testing
import TributaryCompression
import TributaryNumerics

/// The fp16 format's own conversions against the standard library's `Float16` where it exists.
@Suite struct HalfPrecisionTests {
    @Test func knownValuesRoundTrip() throws {
        let values: [Float] = [0, -0.0, 1, -2, 0.5, 65504, 6.1035156e-05, 5.9604645e-08, 1e-9, 3.14159]
        let decoded = try Float16Vector(encoding: values).decoded()
        #expect(Array(decoded.prefix(8)) == [0, 0, 1, -2, 0.5, 65504, 6.1035156e-05, 5.9604645e-08])
        #expect(decoded[8] == 0)
        #expect(decoded[9] == 3.140625)
        #expect(try Float16Vector(encoding: [1]).bitPatterns == [0x3C00])
        #expect(try Float16Vector(encoding: [-2]).bitPatterns == [0xC000])
    }

    #if !(os(macOS) && arch(x86_64))
    @Test func everyHalfAndRandomFloatsMatchFloat16() throws {
        // Encoding every finite half's value gives that half back, and decoding gives Float16's value.
        let finite = (0...UInt16.max).filter { Float16(bitPattern: $0).isFinite }
        let values = finite.map { Float(Float16(bitPattern: $0)) }
        let encoded = try Float16Vector(encoding: values)
        #expect(zip(encoded.decoded(), values).allSatisfy { $0.bitPattern == $1.bitPattern || ($0 == 0 && $1 == 0) })
        // 200,000 seeded floats over the whole half range, subnormals and ties included.
        var generator = SeededGenerator(seed: 1)
        let floats: [Float] = (0..<200_000).map { _ in
            let exponent = Float(generator.nextInt(below: 44)) - 28
            return (generator.nextUnitFloat() * 2 - 1) * Float(sign: .plus, exponent: Int(exponent), significand: 1)
        }.filter { abs($0) <= 65504 }
        let ours = try Float16Vector(encoding: floats).bitPatterns
        let standard = floats.map { Float16($0).bitPattern }
        let differing = zip(ours, standard).filter { $0 != $1 }
        #expect(differing.isEmpty, "\(differing.count) differ, first \(differing.prefix(3))")
    }
    #endif
}
