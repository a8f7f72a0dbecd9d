/// Protobuf's base-128 varints, for the bytes this library writes by hand.
enum Varint {
    /// Bytes `value` takes as a varint.
    static func size(_ value: UInt64) -> Int {
        value == 0 ? 1 : (64 - value.leadingZeroBitCount + 6) / 7
    }

    static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// Appends a varint field, omitted when 0 as proto3 does.
    static func appendField(_ number: UInt64, _ value: UInt64, to bytes: inout [UInt8]) {
        guard value != 0 else { return }
        append(number << 3, to: &bytes)
        append(value, to: &bytes)
    }

    /// The key of a length-delimited field and its length.
    static func appendLengthDelimited(_ number: UInt64, length: Int, to bytes: inout [UInt8]) {
        append(number << 3 | 2, to: &bytes)
        append(UInt64(length), to: &bytes)
    }
}
