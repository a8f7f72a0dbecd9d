import NIOCore

/// A message's serialized Envelope, byte for byte what SwiftProtobuf gives for it, held as
/// SwiftProtobuf's serialization of everything but the tensor data (a few hundred bytes) and
/// references to the tensors' scalars. Written out piece by piece, so the scalars are copied once,
/// straight into the buffers that go to the channel, and no whole-body buffer is ever made.
struct OutgoingBody {
    private let skeleton: [UInt8]
    private let scalars: [ArraySlice<Float>]
    private let pieces: [TensorDataRewriter.Piece]
    /// Bytes of the serialized Envelope.
    let count: Int
    private var piece = 0
    private var offset = 0

    init(_ message: WireMessage) throws {
        let outgoing = OutgoingTensors()
        let skeleton = try FrameCodec.serialize(message.toEnvelope(outgoing: outgoing))
        let scalars = outgoing.scalars
        let output = try skeleton.withUnsafeBytes { raw in
            try TensorDataRewriter.rewrite(raw, as: .envelope) { range in
                guard let index = TensorMarker.index(raw[range]), index < scalars.count else {
                    throw WireError(.invalidValue, "tensor data marker \(Array(raw[range].prefix(8))) at \(range) names none of the \(scalars.count) tensors sent")
                }
                return .tensor(index, count: scalars[index].count * MemoryLayout<Float>.size)
            }
        }
        try require(output.replaced == scalars.count, .invalidValue,
                    "\(message.name): \(output.replaced) tensor data fields found in its serialization for \(scalars.count) tensors")
        self.skeleton = skeleton
        self.scalars = scalars
        self.pieces = output.pieces
        self.count = output.count
    }

    /// Appends the next `count` bytes of the body to `buffer`.
    mutating func write(_ count: Int, into buffer: inout ByteBuffer) {
        var left = count
        while left > 0 {
            let current = pieces[piece]
            let n = min(left, current.count - offset)
            let range = offset..<offset + n
            switch current {
            case .input(let kept):
                let start = kept.lowerBound + offset
                _ = skeleton.withUnsafeBytes { buffer.writeBytes(UnsafeRawBufferPointer(rebasing: $0[start..<start + n])) }
            case .bytes(let bytes), .marker(let bytes):
                buffer.writeBytes(bytes[range])
            case .tensor(let index, _):
                _ = scalars[index].withUnsafeBytes { buffer.writeBytes(UnsafeRawBufferPointer(rebasing: $0[range])) }
            }
            offset += n
            left -= n
            if offset == current.count {
                piece += 1
                offset = 0
            }
        }
    }
}
