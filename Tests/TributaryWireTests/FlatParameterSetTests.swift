import NIOCore
import Testing
@testable import TributaryWire

/// A ParameterSet is one flat buffer with named pieces: made from a flat vector without a copy,
/// decoded from frames straight into one buffer, encoded from it byte for byte as from tensors.
@Suite struct FlatParameterSetTests {
    static let shapes: [(name: String, shape: [Int])] = [("dense1.weight", [3, 2]), ("dense1.bias", [3]), ("empty", [0, 4]), ("dense2.bias", [2])]
    static let values: [Float] = (0..<11).map { Float($0) * 0.5 - 2 }

    static func address(_ values: [Float]) -> UnsafePointer<Float>? { values.withUnsafeBufferPointer(\.baseAddress) }

    @Test func aFlatVectorBecomesASetWithoutACopy() throws {
        let set = try ParameterSet(scalars: Self.values, shapes: Self.shapes)
        #expect(Self.address(set.scalars) == Self.address(Self.values))
        #expect(set.entries.map(\.range) == [0..<6, 6..<9, 9..<9, 9..<11])
        #expect(set["dense1.bias"] == Tensor(shape: [3], scalars: [1, 1.5, 2]))
        #expect(set.shape(of: "dense1.weight") == [3, 2] && set.shape(of: "nope") == nil)
        let fromTensors = try ParameterSet(set.tensors)
        #expect(fromTensors == set)
    }

    @Test func shapesThatDoNotFitTheScalarsAreRefusedNamingTheValues() {
        expectWireError(.tensorSizeMismatch, "ParameterSet has 10 scalars but its shapes need 11") {
            _ = try ParameterSet(scalars: Array(Self.values.dropLast()), shapes: Self.shapes)
        }
        expectWireError(.invalidValue, #"ParameterSet.tensors[1] ("b").shape[0] is -1; dimensions must be >= 0"#) {
            _ = try ParameterSet(scalars: [1], shapes: [("a", [1]), ("b", [-1])])
        }
        expectWireError(.shapeOverflow) {
            _ = try ParameterSet(scalars: [], shapes: [("a", [Int.max, 2])])
        }
        expectWireError(.shapeOverflow, "ParameterSet.tensors hold more than \(Int.max) elements") {
            _ = try ParameterSet(scalars: [], shapes: [("a", [Int.max]), ("b", [1])])
        }
        expectWireError(.invalidValue, #"ParameterSet.tensors[1].name "a" appears twice; names must be unique"#) {
            _ = try ParameterSet(scalars: [1, 2], shapes: [("a", [1]), ("a", [1])])
        }
        expectWireError(.missingField, "ParameterSet.tensors[0].name is empty; it is required") {
            _ = try ParameterSet(scalars: [1], shapes: [("", [1])])
        }
    }

    @Test func aDecodedSetIsOneBufferHoldingEveryTensorInOrder() throws {
        let delta = try ParameterSet(scalars: Self.values, shapes: Self.shapes)
        let message = WireMessage.update(Update(roundID: 3, baseModelVersion: 2, numExamples: 10, delta: delta, fisher: delta))
        let small = WireConfiguration(maxFrameBytes: 256, chunkSize: 40, maxTransferBytes: 1 << 20)
        // Written piece by piece from the flat buffer: the bytes SwiftProtobuf gives for it.
        let frames = try FrameCodec.encodeFrames(message, transferID: 128, configuration: small, allocator: ByteBufferAllocator())
        #expect(frames.map { Array($0.readableBytesView) } == (try FrameCodec.encodeChunked(message, transferID: 128, configuration: small)))
        var reassembler = ChunkReassembler(configuration: small)
        var decoded: WireMessage?
        for frame in frames {
            guard case .chunk(let chunk) = try FrameCodec.decode(Array(frame.readableBytesView), configuration: small) else {
                Issue.record("not a chunk")
                return
            }
            decoded = try reassembler.receive(chunk)
        }
        #expect(decoded == message)
        #expect(try FrameCodec.decode(FrameCodec.encode(message)) == message)
        guard case .update(let update) = decoded else { Issue.record("not an Update"); return }
        #expect(update.delta.scalars == Self.values && update.delta.entries == delta.entries)
        #expect(update.delta.tensors.map(\.tensor) == delta.tensors.map(\.tensor))
    }

    @Test func aFlatVectorEncodesToTheBytesItsTensorsEncodeTo() throws {
        let flat = try ParameterSet(scalars: Self.values, shapes: Self.shapes)
        let tensors = try ParameterSet(flat.entries.map { entry in
            try NamedTensor(name: entry.name, tensor: Tensor(validatingShape: entry.shape, scalars: Array(Self.values[entry.range])))
        })
        #expect(tensors == flat)
        let message = { (set: ParameterSet) in WireMessage.update(Update(roundID: 1, baseModelVersion: 1, numExamples: 1, delta: set)) }
        #expect(try FrameCodec.encode(message(flat)) == FrameCodec.encode(message(tensors)))
    }
}
