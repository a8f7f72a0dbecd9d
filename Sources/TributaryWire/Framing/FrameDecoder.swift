import NIOCore

/// Splits a byte stream into frames and decodes each to a ``WireMessage``.
///
/// With `reassemblesChunks` (the default) chunked transfers are put back together and only whole
/// messages go up the pipeline; other messages between chunks pass straight through. Every refusal
/// throws a ``WireError`` (the transport answers with its ``WireError/errorMessage`` and closes)
/// and is counted in `tributary_wire_rejected_frames_total{code}`.
public struct FrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = WireMessage

    private let configuration: WireConfiguration
    private let metrics: WireMetrics
    private var reassembler: ChunkReassembler?

    /// - Parameters:
    ///   - configuration: limits; validated here (throws ``WireError/Code/invalidValue``).
    ///   - reassemblesChunks: put chunked transfers back together (default) or pass chunks up.
    ///   - metrics: create one ``WireMetrics`` at start-up and share it between connections; the
    ///     default builds one from the process-wide factory as it is at this call.
    public init(configuration: WireConfiguration = .init(), reassemblesChunks: Bool = true,
                metrics: WireMetrics = WireMetrics()) throws {
        self.configuration = try configuration.validated()
        self.metrics = metrics
        self.reassembler = reassemblesChunks ? ChunkReassembler(configuration: configuration) : nil
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        do {
            guard let envelope = try decodeFrame(&buffer) else { return .needMoreData }
            if let message = try self.message(from: envelope) {
                context.fireChannelRead(wrapInboundOut(message))
            }
            return .continue
        } catch let error as WireError {
            metrics.recordRejection(error)
            throw error
        }
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        let state = try decode(context: context, buffer: &buffer)
        if state == .needMoreData, seenEOF {
            let error: WireError? =
                if buffer.readableBytes > 0 {
                    WireError(.malformedFrame, "stream ended inside a frame: \(buffer.readableBytes) bytes of an incomplete frame")
                } else if reassembler?.isReceiving == true {
                    WireError(.malformedFrame, "stream ended in the middle of a chunked transfer")
                } else {
                    nil
                }
            if let error {
                buffer.moveReaderIndex(to: buffer.writerIndex)
                metrics.recordRejection(error)
                throw error
            }
        }
        return state
    }

    /// Reads one whole frame if the buffer holds it; `nil` if more bytes are needed. The body is
    /// parsed where it lies in `buffer`.
    private func decodeFrame(_ buffer: inout ByteBuffer) throws -> Tributary_V1_Envelope? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return nil }
        try FrameCodec.checkLength(Int(length), configuration: configuration)
        guard buffer.readableBytes >= FrameCodec.lengthPrefixBytes + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: FrameCodec.lengthPrefixBytes)
        let body = buffer.readSlice(length: Int(length))!
        return try FrameCodec.parseEnvelope(ByteBufferBytes(body), configuration: configuration)
    }

    /// The message a frame carries, or the reassembled message after a transfer's last chunk
    /// (`nil` before it). A chunk's data goes straight from the Envelope into the reassembly buffer.
    private mutating func message(from envelope: Tributary_V1_Envelope) throws -> WireMessage? {
        guard case .chunk(let chunk)? = envelope.message, reassembler != nil else {
            return try WireMessage(envelope: envelope)
        }
        return try reassembler!.receive(proto: chunk)
    }
}
