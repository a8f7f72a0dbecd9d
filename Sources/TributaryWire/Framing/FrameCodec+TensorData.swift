import SwiftProtobuf

extension FrameCodec {
    /// Decodes a frame body or a reassembled transfer, copying each tensor's data once, from
    /// `body` into its scalars: SwiftProtobuf parses the body with every tensor's data replaced
    /// by a marker (``TensorDataRewriter``), and the mapping reads the data where it lies. Bytes
    /// that cannot be walked that way are parsed whole, so SwiftProtobuf names what is wrong.
    static func decodeMessage<Bytes: SwiftProtobufContiguousBytes>(_ body: Bytes, configuration: WireConfiguration) throws -> WireMessage {
        try body.withUnsafeBytes { raw in
            var slices: [UnsafeRawBufferPointer] = []
            let output = try? TensorDataRewriter.rewrite(raw, as: .envelope) { range in
                slices.append(UnsafeRawBufferPointer(rebasing: raw[range]))
                return .marker(TensorMarker.bytes(slices.count - 1))
            }
            guard let output, output.replaced > 0 else {
                return try WireMessage(envelope: parseEnvelope(body, configuration: configuration))
            }
            var skeleton: [UInt8] = []
            skeleton.reserveCapacity(output.count)
            for piece in output.pieces {
                switch piece {
                case .input(let range): skeleton.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[range]))
                case .bytes(let bytes), .marker(let bytes): skeleton.append(contentsOf: bytes)
                case .tensor: preconditionFailure("a received body has no tensor references")
                }
            }
            let envelope = try parseEnvelope(skeleton, reportedCount: raw.count, configuration: configuration)
            return try WireMessage(envelope: envelope, incoming: IncomingTensors(slices: slices))
        }
    }
}
