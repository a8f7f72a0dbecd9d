import MetricsTestKit
import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing
@testable import TributaryWire

@Suite("FrameDecoder and FrameEncoder on a channel")
struct FrameDecoderTests {
    /// Messages without NaN, so that decoded values compare equal.
    let messages: [WireMessage] = Fixtures.allMessages

    func buffer(_ frames: [[UInt8]]) -> ByteBuffer {
        ByteBuffer(bytes: frames.flatMap { $0 })
    }

    @Test func decoderFedOneByteAtATimeAndInEveryOtherWay() throws {
        // Chunks pass through here: the fixture chunk is the middle of a transfer.
        let pairs = try messages.map { (buffer([try FrameCodec.encode($0)]), [$0]) }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs + [(buffer(try messages.map { try FrameCodec.encode($0) }), messages)]) {
            try! FrameDecoder(reassemblesChunks: false)
        }
    }

    @Test func decoderReassemblesChunksAroundHeartbeats() throws {
        let config = WireConfiguration(maxFrameBytes: 256, chunkSize: 100, maxTransferBytes: 1 << 20)
        let offer = WireMessage.roundOffer(Fixtures.roundOfferFull)
        var frames = try FrameCodec.encodeChunked(offer, transferID: 4, configuration: config)
        #expect(frames.count > 3)
        let heartbeat = WireMessage.heartbeat(Fixtures.heartbeat)
        frames.insert(try FrameCodec.encode(heartbeat), at: 2)
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: [(buffer(frames), [heartbeat, offer])]) {
            try! FrameDecoder(configuration: config)
        }
    }

    @Test func decoderCanPassChunksThrough() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(try FrameDecoder(reassemblesChunks: false)))
        try channel.writeInbound(buffer([try FrameCodec.encode(.chunk(Fixtures.chunk))]))
        #expect(try channel.readInbound(as: WireMessage.self) == .chunk(Fixtures.chunk))
        #expect(try channel.finish().isClean)
    }

    @Test func oversizedFrameIsRefusedBeforeItsBodyArrivesAndCounted() throws {
        let metrics = TestMetrics()
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(try FrameDecoder(metrics: WireMetrics(factory: metrics))))
        let error = #expect(throws: WireError.self) {
            try channel.writeInbound(ByteBuffer(bytes: [0x10, 0, 0, 0]))
        }
        #expect(error?.code == .frameTooLarge)
        #expect(error?.reason == "frame length prefix is 268435456 bytes; the limit is 4259840")
        let counter = try metrics.expectCounter("tributary_wire_rejected_frames_total", [("code", "frameTooLarge")])
        #expect(counter.totalValue == 1)
        let other = try metrics.expectCounter("tributary_wire_rejected_frames_total", [("code", "malformedFrame")])
        #expect(other.totalValue == 0)
        _ = try? channel.finish()
    }

    @Test func invalidMessageOnTheChannelIsCountedByCode() throws {
        let metrics = TestMetrics()
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(try FrameDecoder(metrics: WireMetrics(factory: metrics))))
        var envelope = Fixtures.envelope(.update(Fixtures.update))
        if case .update(var update)? = envelope.message {
            update.numExamples = 0
            envelope.message = .update(update)
        }
        let error = #expect(throws: WireError.self) { try channel.writeInbound(ByteBuffer(bytes: Fixtures.frame(envelope))) }
        #expect(error?.code == .missingField)
        #expect(error?.errorMessage.code == .invalidMessage)
        #expect(try metrics.expectCounter("tributary_wire_rejected_frames_total", [("code", "missingField")]).totalValue == 1)
        _ = try? channel.finish()
    }

    @Test func streamEndingInsideAFrame() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(try FrameDecoder()))
        let frame = try FrameCodec.encode(.heartbeat(Fixtures.heartbeat))
        try channel.writeInbound(ByteBuffer(bytes: frame.dropLast(2)))
        #expect(try channel.readInbound(as: WireMessage.self) == nil)
        let error = #expect(throws: WireError.self) { _ = try channel.finish() }
        #expect(error?.code == .malformedFrame)
        #expect(error?.reason == "stream ended inside a frame: \(frame.count - 2) bytes of an incomplete frame")
    }

    @Test func encoderWritesFramesTheCodecReads() throws {
        let channel = EmbeddedChannel(handler: MessageToByteHandler(try FrameEncoder()))
        for message in messages {
            try channel.writeOutbound(message)
            let written = try #require(try channel.readOutbound(as: ByteBuffer.self))
            #expect(Array(written.readableBytesView) == (try FrameCodec.encode(message)))
        }
        #expect(try channel.finish().isClean)
    }

    @Test func encoderRefusesWhatMustBeChunked() throws {
        let encoder = try FrameEncoder(configuration: WireConfiguration(maxFrameBytes: 256, chunkSize: 100, maxTransferBytes: 1 << 20))
        var out = ByteBuffer()
        let error = #expect(throws: WireError.self) { try encoder.encode(data: .roundOffer(Fixtures.roundOfferFull), out: &out) }
        #expect(error?.code == .frameTooLarge)
        #expect(out.readableBytes == 0)
    }
}
