import NIOCore
import Testing
@testable import TributaryWire

@Suite("Frames written from one serialized body")
struct EncodeFramesTests {
    let small = WireConfiguration(maxFrameBytes: 256, chunkSize: 100, maxTransferBytes: 1 << 20)

    /// Byte for byte what `encodeChunked` (one PayloadChunk message per chunk) gives, for transfer
    /// ids and sizes whose varints take one and several bytes.
    @Test(arguments: [UInt64(1), 127, 128, 300, UInt64.max])
    func sameBytesAsEncodeChunked(transferID: UInt64) throws {
        for message in [WireMessage.roundOffer(Fixtures.roundOfferFull), .heartbeat(Fixtures.heartbeat)] {
            for configuration in [small, WireConfiguration(maxFrameBytes: 20_000, chunkSize: 130, maxTransferBytes: 1 << 20), WireConfiguration()] {
                let expected = try FrameCodec.encodeChunked(message, transferID: transferID, configuration: configuration)
                let frames = try FrameCodec.encodeFrames(message, transferID: transferID, configuration: configuration,
                                                         allocator: ByteBufferAllocator())
                #expect(frames.map { Array($0.readableBytesView) } == expected)
            }
        }
    }

    @Test func refusesWhatSplitRefuses() throws {
        let offer = WireMessage.roundOffer(Fixtures.roundOfferFull)
        #expect(throws: WireError.self) {
            _ = try FrameCodec.encodeFrames(offer, transferID: 0, configuration: small, allocator: ByteBufferAllocator())
        }
        let tight = WireConfiguration(maxFrameBytes: 256, chunkSize: 100, maxTransferBytes: 256)
        #expect(throws: WireError.self) {
            _ = try FrameCodec.encodeFrames(offer, transferID: 1, configuration: tight, allocator: ByteBufferAllocator())
        }
    }
}
