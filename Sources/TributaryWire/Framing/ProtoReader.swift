/// Walks protobuf wire-format fields in bytes it does not own, for the few places that read a
/// message by hand (chunk frames, the fields around tensor data). It only checks what it needs to
/// walk; anything else it cannot follow (truncation, an over-long varint, groups, field 0) throws
/// ``Unreadable``, and the caller hands the bytes to SwiftProtobuf, which names the problem.
struct ProtoReader {
    struct Unreadable: Error {}

    /// One field: where it starts (its key), its value (for a length-delimited field, the bytes
    /// after the length), and for a varint field the value read.
    struct Field {
        var number: UInt32
        var wireType: UInt8
        var start: Int
        var value: Range<Int>
        var varint: UInt64
    }

    let bytes: UnsafeRawBufferPointer
    private var offset: Int
    private let end: Int

    /// Reads the fields in `range` of `bytes` (offsets stay those of `bytes`). `range` may end
    /// past `bytes` when only the start of a message has arrived: what lies beyond can be
    /// skipped (a length-delimited value) but not read.
    init(_ bytes: UnsafeRawBufferPointer, range: Range<Int>? = nil) {
        self.bytes = bytes
        self.offset = range?.lowerBound ?? 0
        self.end = range?.upperBound ?? bytes.count
    }

    mutating func next() throws -> Field? {
        guard offset < end else { return nil }
        let start = offset
        let key = try varint()
        guard key >> 3 != 0, key <= UInt64(UInt32.max) else { throw Unreadable() }
        let wireType = UInt8(key & 7)
        var value: UInt64 = 0
        let valueStart: Int
        switch wireType {
        case 0:
            valueStart = offset
            value = try varint()
        case 1: valueStart = try skip(8)
        case 2:
            let length = try varint()
            guard length <= UInt64(end - offset) else { throw Unreadable() }
            valueStart = try skip(Int(length))
        case 5: valueStart = try skip(4)
        default: throw Unreadable()
        }
        return Field(number: UInt32(key >> 3), wireType: wireType, start: start, value: valueStart..<offset,
                     varint: value)
    }

    /// A varint of at most 10 bytes whose value fits in 64 bits.
    private mutating func varint() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < min(end, bytes.count) {
            let byte = bytes[offset]
            offset += 1
            if shift == 63, byte > 1 { throw Unreadable() }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        throw Unreadable()
    }

    /// Skips `count` bytes; returns where they started.
    private mutating func skip(_ count: Int) throws -> Int {
        guard count <= end - offset else { throw Unreadable() }
        defer { offset += count }
        return offset
    }
}
