/// A vector in IEEE 754 half precision (for the Fisher: 2 bytes an element, 11 significant bits).
/// Values beyond ±65504 are clamped to it; magnitudes below 2⁻²⁴ (≈ 6e-8) become 0. Rounding is to
/// nearest, ties to even, by `HalfPrecision` (no `Float16`, which macOS on x86_64 lacks).
///
/// Body after the 8-byte header (format 2): count half-precision bit patterns (UInt16); NaN and
/// ±∞ are refused.
public struct Float16Vector: Sendable, Equatable {
    public let bitPatterns: [UInt16]

    public init(encoding values: [Float]) throws {
        if let index = values.firstIndex(where: { !$0.isFinite }) {
            throw CompressionError(.nonFiniteInput, "value [\(index)] to encode as fp16 is \(values[index]); fp16 encoding needs finite values")
        }
        let largest = HalfPrecision.greatestFiniteMagnitude
        bitPatterns = values.map { HalfPrecision.bits(min(max($0, -largest), largest)) }
    }

    public var count: Int { bitPatterns.count }

    public func decoded() -> [Float] { bitPatterns.map(HalfPrecision.value) }

    public var serialized: [UInt8] {
        var writer = CompressedFormat.float16.header(count: count)
        for pattern in bitPatterns { writer.append(pattern) }
        return writer.bytes
    }

    public init(serialized bytes: [UInt8]) throws {
        var (reader, count) = try CompressedFormat.float16.readHeader(bytes)
        try reader.require(2 * count, field: "\(count) fp16 values")
        var patterns: [UInt16] = []
        patterns.reserveCapacity(count)
        for index in 0..<count {
            let pattern = try reader.uint16(field: "value[\(index)]")
            guard HalfPrecision.isFinite(pattern) else {
                throw CompressionError(.invalidField, "float16 payload: value[\(index)] is \(HalfPrecision.value(pattern)) (0x\(String(pattern, radix: 16))); values are finite")
            }
            patterns.append(pattern)
        }
        try reader.finish()
        bitPatterns = patterns
    }
}
