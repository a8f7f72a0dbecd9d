import SwiftProtobuf

/// Bytes that SwiftProtobuf serializes into, with 4 bytes kept free in front for the length
/// prefix: a frame is built with one allocation and no copy of the body.
struct FrameBytes: SwiftProtobufContiguousBytes {
    private(set) var storage: [UInt8]

    init(repeating: UInt8, count: Int) {
        storage = [UInt8](repeating: repeating, count: FrameCodec.lengthPrefixBytes + count)
    }

    init<S: Sequence>(_ sequence: S) where S.Element == UInt8 {
        storage = [0, 0, 0, 0] + sequence
    }

    /// Bytes of the body, without the prefix.
    var count: Int { storage.count - FrameCodec.lengthPrefixBytes }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storage.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[FrameCodec.lengthPrefixBytes...])) }
    }

    mutating func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try storage.withUnsafeMutableBytes { try body(UnsafeMutableRawBufferPointer(rebasing: $0[FrameCodec.lengthPrefixBytes...])) }
    }

    /// The finished frame: big-endian body length, then the body.
    consuming func frame() -> [UInt8] {
        let length = UInt32(truncatingIfNeeded: count)
        storage[0] = UInt8(truncatingIfNeeded: length >> 24)
        storage[1] = UInt8(truncatingIfNeeded: length >> 16)
        storage[2] = UInt8(truncatingIfNeeded: length >> 8)
        storage[3] = UInt8(truncatingIfNeeded: length)
        return storage
    }
}
