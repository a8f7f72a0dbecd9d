import NIOCore

/// Splits a byte stream into frames and decodes each to a ``WireMessage``.
///
/// With `reassemblesChunks` (the default) chunked transfers are put back together and only whole
/// messages go up the pipeline; other messages between chunks pass straight through. A chunk
/// frame's data is copied into the reassembly buffer as it arrives, without waiting for the whole
/// frame (``ChunkFrame``). Every refusal throws a ``WireError`` (the transport answers with its
/// ``WireError/errorMessage`` and closes) and is counted in `tributary_wire_rejected_frames_total{code}`.
///
/// With an ``InboundAdmission``, a large frame's body or a chunked transfer is read only once
/// admitted: until then its bytes stay unread (see ``InboundAdmission``).
public struct FrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = WireMessage

    private let configuration: WireConfiguration
    private let metrics: WireMetrics
    private var reassembler: ChunkReassembler?
    /// Data bytes still to come of the chunk frame being received (0: between frames).
    private var chunkDataLeft = 0
    private let admission: (any InboundAdmission)?
    /// A large message was admitted and has not been delivered yet.
    private var admitted = false

    /// - Parameters:
    ///   - configuration: limits; validated here (throws ``WireError/Code/invalidValue``).
    ///   - reassemblesChunks: put chunked transfers back together (default) or pass chunks up.
    ///   - metrics: create one ``WireMetrics`` at start-up and share it between connections; the
    ///     default builds one from the process-wide factory as it is at this call.
    ///   - admission: when set, large frames and chunked transfers wait for it (one per connection).
    public init(configuration: WireConfiguration = .init(), reassemblesChunks: Bool = true,
                metrics: WireMetrics = WireMetrics(), admission: (any InboundAdmission)? = nil) throws {
        self.configuration = try configuration.validated()
        self.metrics = metrics
        self.admission = admission
        self.reassembler = reassemblesChunks ? ChunkReassembler(configuration: configuration) : nil
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        do {
            if chunkDataLeft > 0 {
                return try receiveChunkData(context: context, buffer: &buffer)
            }
            guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self).map(Int.init) else { return .needMoreData }
            try FrameCodec.checkLength(length, configuration: configuration)
            switch try beginChunk(length: length, buffer: &buffer) {
            case .begun: return .continue
            case .waiting: return .needMoreData
            case .wholeFrame: break
            }
            if let admission, length > admission.largeFrameBytes, !isReceivingTransfer, !admit() { return .needMoreData }
            guard buffer.readableBytes >= FrameCodec.lengthPrefixBytes + length else { return .needMoreData }
            buffer.moveReaderIndex(forwardBy: FrameCodec.lengthPrefixBytes)
            if let message = try message(fromBody: buffer.readSlice(length: length)!) {
                fire(message, context: context, large: length > (admission?.largeFrameBytes ?? .max) || isTransferEnd)
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

    private enum ChunkStart {
        /// The frame at the reader index is a chunk; its header was consumed.
        case begun
        /// It is the first chunk of a transfer, not admitted yet; nothing consumed.
        case waiting
        /// Read the frame whole.
        case wholeFrame
    }

    /// True between a transfer's first chunk and its last.
    private var isReceivingTransfer: Bool { reassembler?.isReceiving == true }
    /// Set by `message(fromBody:)` when the message it returned ended a chunked transfer.
    private var isTransferEnd = false

    /// Asks the admission, once per large message.
    private mutating func admit() -> Bool {
        if admitted { return true }
        admitted = admission?.mayReceive() ?? true
        return admitted
    }

    /// Passes a message up; a large (admitted) one is reported delivered after it.
    private mutating func fire(_ message: WireMessage, context: ChannelHandlerContext, large: Bool) {
        context.fireChannelRead(wrapInboundOut(message))
        if large, admitted {
            admitted = false
            admission?.delivered()
        }
    }

    /// Starts receiving a chunk frame as soon as its header is in (``ChunkStart``).
    private mutating func beginChunk(length: Int, buffer: inout ByteBuffer) throws -> ChunkStart {
        guard reassembler != nil, buffer.readableBytes - FrameCodec.lengthPrefixBytes >= min(length, ChunkFrame.maxHeaderBytes) else {
            return .wholeFrame
        }
        let prefix = buffer.readerIndex + FrameCodec.lengthPrefixBytes
        let frame = buffer.withUnsafeReadableBytes { raw in
            let header = FrameCodec.lengthPrefixBytes..<min(raw.count, FrameCodec.lengthPrefixBytes + ChunkFrame.maxHeaderBytes)
            return ChunkFrame(UnsafeRawBufferPointer(rebasing: raw[header]), bodyLength: length)
        }
        guard let frame, configuration.supportedProtocolVersions.contains(frame.protocolVersion) else { return .wholeFrame }
        if !isReceivingTransfer, !admit() { return .waiting }
        try reassembler!.begin(frame.header, dataCount: frame.data.count)
        buffer.moveReaderIndex(to: prefix + frame.data.lowerBound)
        chunkDataLeft = frame.data.count
        return .begun
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
            fire(message, context: context, large: true)
        }
        return .continue
    }

    /// The message a whole frame carries, or the reassembled message after a transfer's last
    /// chunk (`nil` before it).
    private mutating func message(fromBody body: ByteBuffer) throws -> WireMessage? {
        isTransferEnd = false
        let message = try FrameCodec.decodeMessage(ByteBufferBytes(body), configuration: configuration)
        guard case .chunk(let chunk) = message, reassembler != nil else { return message }
        let whole = try reassembler!.receive(chunk)
        isTransferEnd = whole != nil
        return whole
    }
}
