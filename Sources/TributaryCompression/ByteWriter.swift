/// Appends little-endian fields to a byte array.
struct ByteWriter {
    private(set) var bytes: [UInt8]

    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    mutating func append(_ value: UInt8) { bytes.append(value) }
    mutating func append(bytes more: [UInt8]) { bytes.append(contentsOf: more) }
    mutating func append(_ value: UInt16) { appendLittleEndian(UInt64(value), size: 2) }
    mutating func append(_ value: UInt32) { appendLittleEndian(UInt64(value), size: 4) }
    mutating func append(_ value: Float) { append(value.bitPattern) }

    /// An unsigned LEB128 varint: 7 bits a byte, low first, the high bit set on all but the last.
    mutating func appendVarint(_ value: UInt32) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    private mutating func appendLittleEndian(_ value: UInt64, size: Int) {
        for shift in 0..<size { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * shift))) }
    }
}
