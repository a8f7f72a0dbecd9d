import NIOCore
import SwiftProtobuf
import Testing
@testable import TributaryWire

/// Tensor data kept out of SwiftProtobuf: frames written piece by piece from the scalars, and
/// bodies decoded from a skeleton whose tensor data are markers, give what SwiftProtobuf gives.
@Suite("Tensor data outside SwiftProtobuf")
struct DetachedTensorTests {
    let small = WireConfiguration(maxFrameBytes: 256, chunkSize: 100, maxTransferBytes: 1 << 20)

    static func nonEmptyTensors(_ message: WireMessage) -> Int {
        let sets: [ParameterSet] = switch message {
        case .roundOffer(let offer): [offer.model.parameters] + (offer.ewc.map { [$0.fisher, $0.anchor] } ?? [])
        case .update(let update): [update.delta] + (update.fisher.map { [$0] } ?? [])
        case .modelRelease(let release): [release.model.parameters]
        case .evaluateRequest(let request): [request.model.parameters]
        default: []
        }
        return sets.flatMap(\.tensors).filter { $0.tensor.count > 0 }.count
    }

    @Test("every tensor is found, and the skeleton decodes to what SwiftProtobuf decodes", arguments: Fixtures.allMessages)
    func skeletonDecodeMatchesSwiftProtobuf(message: WireMessage) throws {
        let body = try FrameCodec.serialize(message.toEnvelope())
        let replaced = try body.withUnsafeBytes { raw in
            try TensorDataRewriter.rewrite(raw, as: .envelope) { _ in .marker(TensorMarker.bytes(0)) }.replaced
        }
        #expect(replaced == Self.nonEmptyTensors(message))
        let plain = try WireMessage(envelope: FrameCodec.parseEnvelope(body, configuration: .init()))
        #expect(try FrameCodec.decodeMessage(ByteSlice(body[...]), configuration: .init()) == plain)
        #expect(plain == message)
    }

    @Test("pieces of any size make the frames of encodeChunked", arguments: Fixtures.allMessages)
    func piecesMakeTheSameFrames(message: WireMessage) throws {
        guard case .chunk = message else {
            for configuration in [small, WireConfiguration()] {
                let expected = try FrameCodec.encodeChunked(message, transferID: 300, configuration: configuration).flatMap { $0 }
                for maxBytes in [1, 7, 100, 1 << 20] {
                    var frames = try OutgoingFrames(message, transferID: 300, configuration: configuration)
                    var written: [UInt8] = []
                    while !frames.isFinished {
                        written += frames.next(maxBytes: maxBytes, allocator: ByteBufferAllocator()).readableBytesView
                    }
                    #expect(written == expected)
                }
            }
            return
        }
    }

    @Test func aTensorWithTwoDataFieldsKeepsTheLastAsSwiftProtobufDoes() throws {
        // Update{4: delta{1: NamedTensor{1: "w", 2: Tensor{..., 3: data, 3: data again}}}}, written by hand.
        let set = try ParameterSet([NamedTensor(name: "w", tensor: Tensor(shape: [2], scalars: [1, 2]))])
        var tensorBytes: [UInt8] = try set.toProto().tensors[0].tensor.serializedBytes()
        tensorBytes += [0x1A, 8] + [UInt8](repeating: 7, count: 8)
        var named: [UInt8] = [0x0A, 1, UInt8(ascii: "w")]
        Varint.appendLengthDelimited(2, length: tensorBytes.count, to: &named)
        named += tensorBytes
        var setBytes: [UInt8] = []
        Varint.appendLengthDelimited(1, length: named.count, to: &setBytes)
        setBytes += named
        var head = Tributary_V1_Update()
        head.roundID = 1
        head.baseModelVersion = 1
        head.numExamples = 1
        var update: [UInt8] = try head.serializedBytes()
        Varint.appendLengthDelimited(4, length: setBytes.count, to: &update)
        update += setBytes
        var body: [UInt8] = [0x08, 0x01]
        Varint.appendLengthDelimited(6, length: update.count, to: &body)
        body += update
        let expected = try WireMessage(envelope: FrameCodec.parseEnvelope(body, configuration: .init()))
        guard case .update(let decoded) = expected else { Issue.record("not an Update"); return }
        #expect(decoded.delta.tensors[0].tensor.scalars.allSatisfy { $0.bitPattern == 0x0707_0707 })
        #expect(try FrameCodec.decodeMessage(ByteSlice(body[...]), configuration: .init()) == expected)
    }

    @Test func chunkFramesAreReadByHandOnlyInTheirOwnShape() throws {
        let frames = try FrameCodec.encodeChunked(.roundOffer(Fixtures.roundOfferFull), transferID: 128, configuration: small)
        for (index, frame) in frames.enumerated() {
            let chunk = try #require(frame.dropFirst(4).withUnsafeBytes { ChunkFrame($0, bodyLength: $0.count) })
            #expect(chunk.header.transferID == 128 && chunk.header.index == UInt32(index) && chunk.header.total == UInt32(frames.count))
            #expect(chunk.data.upperBound == frame.count - 4)
        }
        // The same chunk with an unknown field, or its fields in another order, goes to SwiftProtobuf.
        let unknownField: [UInt8] = [0x08, 0x01, 0x5A, 0x0D, 0x08, 0x05, 0x10, 0x01, 0x18, 0x03, 0x20, 0x0A, 0x2A, 0x01, 0x09, 0x30, 0x01]
        #expect(unknownField.withUnsafeBytes { ChunkFrame($0, bodyLength: $0.count) } == nil)
        let inOrder: [UInt8] = [0x08, 0x01, 0x5A, 0x0B, 0x08, 0x05, 0x10, 0x01, 0x18, 0x03, 0x20, 0x0A, 0x2A, 0x01, 0x09]
        let reordered: [UInt8] = [0x08, 0x01, 0x5A, 0x0B, 0x10, 0x01, 0x08, 0x05, 0x18, 0x03, 0x20, 0x0A, 0x2A, 0x01, 0x09]
        #expect(inOrder.withUnsafeBytes { ChunkFrame($0, bodyLength: $0.count) }?.header.transferID == 5)
        #expect(reordered.withUnsafeBytes { ChunkFrame($0, bodyLength: $0.count) } == nil)
        // Only the header need have arrived.
        #expect(inOrder.withUnsafeBytes { ChunkFrame(UnsafeRawBufferPointer(rebasing: $0[0..<14]), bodyLength: 15) }?.data == 14..<15)
    }
}

private extension ModelPayload {
    var parameters: ParameterSet {
        switch self {
        case .full(let parameters): parameters
        case .delta(_, let delta): delta
        }
    }
}
