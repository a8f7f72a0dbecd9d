import NIOCore

/// Writes each ``WireMessage`` as one frame (4-byte big-endian length + Envelope).
///
/// A message larger than `maxFrameBytes` is refused with `frameTooLarge`: split it first with
/// ``FrameCodec/split(_:transferID:configuration:)`` and write the chunks, so that heartbeats can
/// go out between them.
public struct FrameEncoder: MessageToByteEncoder {
    public typealias OutboundIn = WireMessage

    private let configuration: WireConfiguration

    public init(configuration: WireConfiguration = .init()) throws {
        self.configuration = try configuration.validated()
    }

    public func encode(data: WireMessage, out: inout ByteBuffer) throws {
        try data.validate()
        let body = try FrameCodec.serialize(data.toEnvelope())
        try require(body.count <= configuration.maxFrameBytes, .frameTooLarge,
                    "\(data.name) frame is \(body.count) bytes; the limit is \(configuration.maxFrameBytes): split it into chunks")
        out.reserveCapacity(minimumWritableBytes: FrameCodec.lengthPrefixBytes + body.count)
        out.writeInteger(UInt32(body.count))
        out.writeBytes(body)
    }
}
