import NIOCore

extension FrameCodec {
    /// The frames of ``split(_:transferID:configuration:)``, ready to write: one frame if the
    /// serialized Envelope fits in `configuration.chunkSize`, otherwise chunk frames cut straight
    /// from the one serialized body. Byte for byte what ``encodeChunked(_:transferID:configuration:)``
    /// gives, without building a ``PayloadChunk`` (and its copies) per chunk.
    package static func encodeFrames(_ message: WireMessage, transferID: UInt64, configuration: WireConfiguration,
                                     allocator: ByteBufferAllocator) throws -> [ByteBuffer] {
        let configuration = try configuration.validated()
        try message.validate()
        let body = try serialize(message.toEnvelope())
        if body.count <= configuration.chunkSize {
            var frame = allocator.buffer(capacity: lengthPrefixBytes + body.count)
            frame.writeInteger(UInt32(body.count))
            frame.writeBytes(body)
            return [frame]
        }
        let ranges = try chunkRanges(of: body.count, message: message, transferID: transferID, configuration: configuration)
        return body.withUnsafeBytes { raw in
            ranges.enumerated().map { index, range in
                chunkFrame(transferID: transferID, index: UInt32(index), total: UInt32(ranges.count), totalBytes: UInt64(body.count),
                           data: UnsafeRawBufferPointer(rebasing: raw[range]), allocator: allocator)
            }
        }
    }

    /// One chunk frame written by hand, as SwiftProtobuf writes it: Envelope{1: version, 11: PayloadChunk{
    /// 1: transfer_id, 2: index (omitted when 0, proto3), 3: total, 4: total_bytes, 5: data}}.
    static func chunkFrame(transferID: UInt64, index: UInt32, total: UInt32, totalBytes: UInt64,
                           data: UnsafeRawBufferPointer, allocator: ByteBufferAllocator) -> ByteBuffer {
        var chunkHeader: [UInt8] = []
        chunkHeader.reserveCapacity(48)
        appendField(1, varint: transferID, to: &chunkHeader)
        if index != 0 { appendField(2, varint: UInt64(index), to: &chunkHeader) }
        appendField(3, varint: UInt64(total), to: &chunkHeader)
        appendField(4, varint: totalBytes, to: &chunkHeader)
        appendVarint(5 << 3 | 2, to: &chunkHeader)
        appendVarint(UInt64(data.count), to: &chunkHeader)
        let chunkLength = chunkHeader.count + data.count

        var envelopeHeader: [UInt8] = []
        envelopeHeader.reserveCapacity(16)
        appendField(1, varint: UInt64(WireProtocol.version), to: &envelopeHeader)
        appendVarint(11 << 3 | 2, to: &envelopeHeader)
        appendVarint(UInt64(chunkLength), to: &envelopeHeader)
        let bodyLength = envelopeHeader.count + chunkLength

        var frame = allocator.buffer(capacity: lengthPrefixBytes + bodyLength)
        frame.writeInteger(UInt32(bodyLength))
        frame.writeBytes(envelopeHeader)
        frame.writeBytes(chunkHeader)
        frame.writeBytes(data)
        return frame
    }

    private static func appendField(_ number: UInt64, varint value: UInt64, to bytes: inout [UInt8]) {
        guard value != 0 else { return }
        appendVarint(number << 3, to: &bytes)
        appendVarint(value, to: &bytes)
    }

    private static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }
}
