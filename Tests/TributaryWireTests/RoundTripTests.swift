import Testing
@testable import TributaryWire

@Suite("Round trips")
struct RoundTripTests {
    @Test("every message survives encode → frame → decode", arguments: Fixtures.allMessages)
    func frameRoundTrip(message: WireMessage) throws {
        let frame = try FrameCodec.encode(message)
        #expect(Array(frame.prefix(4)) == withUnsafeBytes(of: UInt32(frame.count - 4).bigEndian, Array.init))
        let decoded = try FrameCodec.decode(frame)
        #expect(decoded == message)
        #expect(try FrameCodec.encode(decoded) == frame, "encoding is deterministic")
    }

    @Test("every message maps to its own Envelope case and back", arguments: Fixtures.allMessages)
    func envelopeMapping(message: WireMessage) throws {
        let envelope = message.toEnvelope()
        #expect(envelope.protocolVersion == 1)
        #expect(try WireMessage(envelope: envelope) == message)
    }

    @Test func float32TensorIsRawLittleEndianBytes() throws {
        let set = try ParameterSet([NamedTensor(name: "t", tensor: Tensor(shape: [2], scalars: [1.0, -2.5]))])
        let proto = set.toProto().tensors[0].tensor
        #expect(proto.dtype == .float32)
        #expect(proto.shape == [2])
        #expect([UInt8](proto.data) == [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x20, 0xC0])
        #expect(proto.scale == 0)
    }

    @Test func specialFloatValuesKeepTheirBits() throws {
        let scalars: [Float] = [.nan, .infinity, -.infinity, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
        let set = try ParameterSet(scalars: scalars, shapes: [("t", [scalars.count])])
        let back = try ParameterSet(proto: set.toProto(), field: "t")
        #expect(back.scalars.map(\.bitPattern) == scalars.map(\.bitPattern))
    }

    @Test func largeTensorRoundTripsThroughAFrame() throws {
        var rng = SplitMix64(seed: 42)
        let tensor = WireSamples.tensor(shape: [1000, 1000], scale: 1, using: &rng)
        let message = WireMessage.update(Update(roundID: 1, baseModelVersion: 1, numExamples: 1,
                                                delta: try ParameterSet([NamedTensor(name: "w", tensor: tensor)])))
        let config = WireConfiguration(maxFrameBytes: 8 << 20)
        let frame = try FrameCodec.encode(message, configuration: config)
        #expect(frame.count < 4_000_000 + 64)
        #expect(try FrameCodec.decode(frame, configuration: config) == message)
    }

    @Test func unknownCodecsInCapabilitiesAreDropped() throws {
        var proto = Fixtures.hello.toProto()
        proto.capabilities.tensorCodecs = [.float32, .UNRECOGNIZED(9)]
        #expect(try Hello(proto: proto).capabilities.tensorCodecs == [.float32])
    }

    @Test func openCodesSurviveUnknownValues() throws {
        let message = WireMessage.error(ErrorMessage(code: .init(rawValue: 42), message: "from a newer peer"))
        #expect(try FrameCodec.decode(FrameCodec.encode(message)) == message)
    }
}
