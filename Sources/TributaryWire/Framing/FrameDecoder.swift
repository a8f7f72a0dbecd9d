import NIOCore

/// Splits a byte stream into frames and decodes each to a ``WireMessage``.
///
/// With `reassemblesChunks` (the default) chunked transfers are put back together and only whole
/// messages go up the pipeline; other messages between chunks pass straight through. A chunk
/// frame's data is copied into the reassembly buffer as it arrives, without waiting for the whole
/// frame (``ChunkFrame``). Every refusal throws a ``WireError`` (the transport answers with its
/// ``WireError/errorMessage`` and closes) and is counted in `tributary_wire_rejected_frames_total{code}`.
public struct FrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = WireMessage

    private let configuration: WireConfiguration
    private let metrics: WireMetrics
    private var reassembler: ChunkReassembler?
    /// Data bytes still to come of the chunk frame being received (0: between frames).
    private var chunkDataLeft = 0

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
            if chunkDataLeft > 0 {
                return try receiveChunkData(context: context, buffer: &buffer)
            }
            guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self).map(Int.init) else { return .needMoreData }
            try FrameCodec.checkLength(length, configuration: configuration)
            if try beginChunk(length: length, buffer: &buffer) { return .continue }
            guard buffer.readableBytes >= FrameCodec.lengthPrefixBytes + length else { return .needMoreData }
            buffer.moveReaderIndex(forwardBy: FrameCodec.lengthPrefixBytes)
            if let message = try message(fromBody: buffer.readSlice(length: length)!) {
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
                } else if chunkDataLeft > 0 {
                    WireError(.malformedFrame, "stream ended inside a chunk frame: \(chunkDataLeft) bytes of its data missing")
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

    /// Starts receiving a chunk frame as soon as its header is in: true if the frame at the
    /// reader index is one (its header consumed), false to read the frame whole.
    private mutating func beginChunk(length: Int, buffer: inout ByteBuffer) throws -> Bool {
        guard reassembler != nil, buffer.readableBytes - FrameCodec.lengthPrefixBytes >= min(length, ChunkFrame.maxHeaderBytes) else {
            return false
        }
        let prefix = buffer.readerIndex + FrameCodec.lengthPrefixBytes
        let frame = buffer.withUnsafeReadableBytes { raw in
            let header = FrameCodec.lengthPrefixBytes..<min(raw.count, FrameCodec.lengthPrefixBytes + ChunkFrame.maxHeaderBytes)
            return ChunkFrame(UnsafeRawBufferPointer(rebasing: raw[header]), bodyLength: length)
        }
        guard let frame, configuration.supportedProtocolVersions.contains(frame.protocolVersion) else { return false }
        try reassembler!.begin(frame.header, dataCount: frame.data.count)
        buffer.moveReaderIndex(to: prefix + frame.data.lowerBound)
        chunkDataLeft = frame.data.count
        return true
    }

    /// Copies what has arrived of the current chunk's data; after its last byte, ends the chunk.
    private mutating func receiveChunkData(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let count = min(chunkDataLeft, buffer.readableBytes)
        guard count > 0 else { return .needMoreData }
        buffer.withUnsafeReadableBytes { reassembler!.append(UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
        buffer.moveReaderIndex(forwardBy: count)
        chunkDataLeft -= count
        guard chunkDataLeft == 0 else { return .needMoreData }
        if let message = try reassembler!.end() {
            context.fireChannelRead(wrapInboundOut(message))
        }
        return .continue
    }

    /// The message a whole frame carries, or the reassembled message after a transfer's last
    /// chunk (`nil` before it).
    private mutating func message(fromBody body: ByteBuffer) throws -> WireMessage? {
        let message = try FrameCodec.decodeMessage(ByteBufferBytes(body), configuration: configuration)
        guard case .chunk(let chunk) = message, reassembler != nil else { return message }
        return try reassembler!.receive(chunk)
    }
}
