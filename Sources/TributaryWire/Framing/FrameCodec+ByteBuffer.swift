import NIOCore

extension FrameCodec {
    /// All the frames of ``OutgoingFrames`` at once: what ``encodeChunked(_:transferID:configuration:)``
    /// gives, as `ByteBuffer`s.
    package static func encodeFrames(_ message: WireMessage, transferID: UInt64, configuration: WireConfiguration,
                                     allocator: ByteBufferAllocator) throws -> [ByteBuffer] {
        var frames = try OutgoingFrames(message, transferID: transferID, configuration: configuration)
        var buffers: [ByteBuffer] = []
        while !frames.isFinished {
            buffers.append(frames.next(maxBytes: .max, allocator: allocator))
        }
        return buffers
    }

    /// The 4-byte big-endian length of a frame body.
    static func lengthPrefix(_ count: Int) -> [UInt8] {
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: count).bigEndian, Array.init)
    }

    /// A chunk frame up to its data, written by hand as SwiftProtobuf writes it: length prefix,
    /// Envelope{1: version, 11: PayloadChunk{1: transfer_id, 2: index (omitted when 0, proto3),
    /// 3: total, 4: total_bytes, 5: data (`dataCount` bytes, not included)}}. ``ChunkFrame`` reads it.
    static func chunkFrameHeader(transferID: UInt64, index: UInt32, total: UInt32, totalBytes: UInt64, dataCount: Int) -> [UInt8] {
        var chunk: [UInt8] = []
        chunk.reserveCapacity(48)
        Varint.appendField(1, transferID, to: &chunk)
        Varint.appendField(2, UInt64(index), to: &chunk)
        Varint.appendField(3, UInt64(total), to: &chunk)
        Varint.appendField(4, totalBytes, to: &chunk)
        Varint.appendLengthDelimited(5, length: dataCount, to: &chunk)
        let chunkLength = chunk.count + dataCount

        var envelope: [UInt8] = []
        envelope.reserveCapacity(16)
        Varint.appendField(1, UInt64(WireProtocol.version), to: &envelope)
        Varint.appendLengthDelimited(11, length: chunkLength, to: &envelope)
        return lengthPrefix(envelope.count + chunkLength) + envelope + chunk
    }
}
