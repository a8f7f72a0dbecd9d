import Testing
@testable import TributaryWire

@Suite("Framing without NIO")
struct FramingTests {
    let heartbeatFrame = try! FrameCodec.encode(.heartbeat(Fixtures.heartbeat))

    @Test func lengthPrefixOverTheLimit() {
        let limit = WireConfiguration().maxFrameBytes
        #expect(limit == 4_259_840)
        expectWireError(.frameTooLarge, "frame length prefix is 4259841 bytes; the limit is 4259840") {
            _ = try FrameCodec.decode([0x00, 0x41, 0x00, 0x01] + [UInt8](repeating: 0, count: 8))
        }
        expectWireError(.frameTooLarge, "frame length prefix is 4294967295 bytes; the limit is 4259840") {
            _ = try FrameCodec.decode([0xFF, 0xFF, 0xFF, 0xFF])
        }
    }

    @Test func senderRefusesAnOversizedFrame() throws {
        let config = WireConfiguration(maxFrameBytes: 200, chunkSize: 100, maxTransferBytes: 1 << 20)
        let big = WireMessage.update(Fixtures.update)
        let bodyBytes = try FrameCodec.encode(big).count - 4
        expectWireError(.frameTooLarge, "Update frame is \(bodyBytes) bytes; the limit is 200: send it in chunks") {
            _ = try FrameCodec.encode(big, configuration: config)
        }
    }

    @Test func truncatedFrames() {
        expectWireError(.malformedFrame, "frame is 3 bytes, shorter than its 4-byte length prefix") {
            _ = try FrameCodec.decode(Array(heartbeatFrame.prefix(3)))
        }
        let cut = Array(heartbeatFrame.dropLast())
        expectWireError(.malformedFrame, "frame is truncated: length prefix says \(heartbeatFrame.count - 4) bytes, \(heartbeatFrame.count - 5) follow") {
            _ = try FrameCodec.decode(cut)
        }
    }

    @Test func trailingBytes() {
        expectWireError(.malformedFrame, "frame has 2 trailing bytes after its \(heartbeatFrame.count - 4)-byte body") {
            _ = try FrameCodec.decode(heartbeatFrame + [0, 0])
        }
    }

    @Test func garbageBody() {
        let garbage: [UInt8] = [0, 0, 0, 6, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
        let error = #expect(throws: WireError.self) { _ = try FrameCodec.decode(garbage) }
        #expect(error?.code == .malformedFrame)
        #expect(error?.reason.hasPrefix("frame body of 6 bytes is not a tributary.v1.Envelope") == true)
    }

    @Test func emptyBodyHasNoVersion() {
        expectWireError(.unsupportedProtocolVersion, "Envelope.protocol_version is 0; supported: 1...1") {
            _ = try FrameCodec.decode([0, 0, 0, 0])
        }
    }

    @Test func wrongProtocolVersion() throws {
        expectWireError(.unsupportedProtocolVersion, "Envelope.protocol_version is 2; supported: 1...1") {
            _ = try FrameCodec.decode(Fixtures.frame(Fixtures.envelope(.heartbeat(Fixtures.heartbeat), version: 2)))
        }
        let both = WireConfiguration(supportedProtocolVersions: 1...2)
        #expect(try FrameCodec.decode(Fixtures.frame(Fixtures.envelope(.heartbeat(Fixtures.heartbeat), version: 2)),
                                      configuration: both) == .heartbeat(Fixtures.heartbeat))
    }

    @Test func unknownMessage() {
        // protocol_version = 1, then field 99 (varint 1): a message from a newer contract.
        let body: [UInt8] = [0x08, 0x01, 0x98, 0x06, 0x01]
        expectWireError(.unknownMessage, "Envelope carries no message known to protocol v1 (3 bytes of unknown fields)") {
            _ = try FrameCodec.decode([0, 0, 0, UInt8(body.count)] + body)
        }
    }
}
