/// Reads little-endian fields from a payload; every read checks the length first and names the
/// field, its offset and the format when the payload is too short.
struct ByteReader {
    private let bytes: [UInt8]
    private let format: CompressedFormat
    private(set) var offset = 0

    init(_ bytes: [UInt8], format: CompressedFormat) {
        self.bytes = bytes
        self.format = format
    }

    var remaining: Int { bytes.count - offset }

    /// Refuses a read of `count` bytes past the end, before anything is sized from it.
    mutating func require(_ count: Int, field: String) throws {
        guard count >= 0, count <= remaining else {
            throw CompressionError(.truncated, "\(format) payload of \(bytes.count) bytes ends at offset \(bytes.count); field \(field) needs \(count) bytes from offset \(offset)")
        }
    }

    mutating func bytes(_ count: Int, field: String) throws -> [UInt8] {
        try require(count, field: field)
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func uint8(field: String) throws -> UInt8 {
        try require(1, field: field)
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func uint16(field: String) throws -> UInt16 { UInt16(try littleEndian(2, field: field)) }
    mutating func uint32(field: String) throws -> UInt32 { UInt32(try littleEndian(4, field: field)) }
    mutating func float(field: String) throws -> Float { Float(bitPattern: try uint32(field: field)) }

    /// `count` Float32 values, each finite.
    mutating func finiteFloats(_ count: Int) throws -> [Float] {
        try require(4 * count, field: "\(count) Float32 values")
        var values: [Float] = []
        values.reserveCapacity(count)
        for index in 0..<count {
            let value = try float(field: "value[\(index)]")
            guard value.isFinite else { throw CompressionError(.invalidField, "\(format) payload: value[\(index)] is \(value); values are finite") }
            values.append(value)
        }
        return values
    }

    /// An unsigned LEB128 varint of at most 5 bytes that fits in 32 bits.
    mutating func varint(field: String) throws -> UInt32 {
        var value: UInt64 = 0
        for index in 0..<5 {
            let byte = try uint8(field: field)
            value |= UInt64(byte & 0x7F) << (7 * index)
            if byte & 0x80 == 0 {
                guard value <= UInt64(UInt32.max) else { break }
                return UInt32(value)
            }
        }
        throw CompressionError(.invalidField, "\(format) payload: varint \(field) ending at offset \(offset) is longer than 5 bytes or above 2³² − 1")
    }

    /// Refuses bytes left after the last field.
    func finish() throws {
        guard remaining == 0 else {
            throw CompressionError(.trailingBytes, "\(format) payload holds \(remaining) bytes after its last field, at offset \(offset)")
        }
    }

    private mutating func littleEndian(_ size: Int, field: String) throws -> UInt64 {
        try require(size, field: field)
        var value: UInt64 = 0
        for index in 0..<size { value |= UInt64(bytes[offset + index]) << (8 * index) }
        offset += size
        return value
    }
}
