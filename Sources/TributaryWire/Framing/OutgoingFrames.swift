import NIOCore

/// The frames of one message, produced piece by piece as the channel takes them: byte for byte
/// what ``FrameCodec/encodeChunked(_:transferID:configuration:)`` gives (one frame, or chunk
/// frames when the Envelope is over `chunkSize`), but each piece is copied straight from the
/// message's scalars into the buffer written, so encoding overlaps the transfer and no
/// whole-body buffer exists.
package struct OutgoingFrames {
    private var body: OutgoingBody
    private let transferID: UInt64
    private let chunkSize: Int
    /// Chunk frames of the transfer; 0 when the message goes as one frame.
    private let chunks: Int
    private var framesLeft: Int
    /// Body bytes of the frame being written that are not written yet.
    private var frameLeft = 0

    /// Validates and encodes what is not tensor data; throws what ``FrameCodec/split(_:transferID:configuration:)`` throws.
    package init(_ message: WireMessage, transferID: UInt64, configuration: WireConfiguration) throws {
        let configuration = try configuration.validated()
        try message.validate()
        body = try OutgoingBody(message)
        self.transferID = transferID
        chunkSize = configuration.chunkSize
        chunks = body.count <= chunkSize ? 0
            : try FrameCodec.chunkRanges(of: body.count, message: message, transferID: transferID, configuration: configuration).count
        framesLeft = max(chunks, 1)
    }

    /// True if the message goes as chunk frames (it uses up its transfer id).
    package var isChunked: Bool { chunks > 0 }
    /// True between the first and the last piece of a frame: nothing else may be written now.
    package var isMidFrame: Bool { frameLeft > 0 }
    package var isFinished: Bool { framesLeft == 0 && frameLeft == 0 }

    /// The next piece: a frame's length prefix and headers (at a frame's start) and up to
    /// `maxBytes` of its body. Call only while not ``isFinished``.
    package mutating func next(maxBytes: Int, allocator: ByteBufferAllocator) -> ByteBuffer {
        precondition(!isFinished, "no frames left")
        var header: [UInt8] = []
        if frameLeft == 0 {
            framesLeft -= 1
            if chunks == 0 {
                frameLeft = body.count
                header = FrameCodec.lengthPrefix(body.count)
            } else {
                let index = chunks - 1 - framesLeft
                frameLeft = min(chunkSize, body.count - index * chunkSize)
                header = FrameCodec.chunkFrameHeader(transferID: transferID, index: UInt32(index), total: UInt32(chunks),
                                                     totalBytes: UInt64(body.count), dataCount: frameLeft)
            }
        }
        let count = min(max(maxBytes, 1), frameLeft)
        var buffer = allocator.buffer(capacity: header.count + count)
        buffer.writeBytes(header)
        body.write(count, into: &buffer)
        frameLeft -= count
        return buffer
    }
}
