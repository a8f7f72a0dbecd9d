import SwiftProtobuf

/// Frames without NIO: a frame is a 4-byte big-endian length N followed by N bytes of a
/// serialized `tributary.v1.Envelope`. Pure functions; ``FrameDecoder`` and ``FrameEncoder``
/// wrap them for a channel pipeline.
public enum FrameCodec {
    /// Bytes of the length prefix.
    public static let lengthPrefixBytes = 4

    /// Encodes one message as one frame. Throws if the message is invalid or its frame body
    /// exceeds `configuration.maxFrameBytes` (send it with ``encodeChunked(_:transferID:configuration:)``).
    public static func encode(_ message: WireMessage, configuration: WireConfiguration = .init()) throws -> [UInt8] {
        try message.validate()
        let bytes: FrameBytes = try message.toEnvelope().serializedBytes(options: deterministic)
        try require(bytes.count <= configuration.maxFrameBytes, .frameTooLarge,
                    "\(message.name) frame is \(bytes.count) bytes; the limit is \(configuration.maxFrameBytes): send it in chunks")
        return bytes.frame()
    }

    /// Encodes a message as one frame if it fits in `configuration.chunkSize`, otherwise as
    /// the frames of ``split(_:transferID:configuration:)``.
    public static func encodeChunked(_ message: WireMessage, transferID: UInt64,
                                     configuration: WireConfiguration = .init()) throws -> [[UInt8]] {
        try split(message, transferID: transferID, configuration: configuration).map {
            try encode($0, configuration: configuration)
        }
    }

    /// Returns `[message]` if its serialized Envelope fits in `configuration.chunkSize`, otherwise
    /// `ceil(size / chunkSize)` ``PayloadChunk`` messages with the given transfer id (non-zero),
    /// to be written in order, each as its own frame; other messages (heartbeats) may go between them.
    public static func split(_ message: WireMessage, transferID: UInt64,
                             configuration: WireConfiguration = .init()) throws -> [WireMessage] {
        let configuration = try configuration.validated()
        try message.validate()
        let body = try serialize(message.toEnvelope())
        if body.count <= configuration.chunkSize { return [message] }
        let ranges = try chunkRanges(of: body.count, message: message, transferID: transferID, configuration: configuration)
        return ranges.enumerated().map { index, range in
            .chunk(PayloadChunk(transferID: transferID, index: UInt32(index), total: UInt32(ranges.count),
                                totalBytes: UInt64(body.count), data: Array(body[range])))
        }
    }

    /// The byte ranges a serialized body of `count` bytes (over one chunk) is cut into, after
    /// checking the transfer id and the transfer limit.
    static func chunkRanges(of count: Int, message: WireMessage, transferID: UInt64,
                            configuration: WireConfiguration) throws -> [Range<Int>] {
        try requireNonZero(transferID, "transferID")
        try require(count <= configuration.maxTransferBytes, .transferTooLarge,
                    "\(message.name) is \(count) bytes; the transfer limit is \(configuration.maxTransferBytes)")
        return stride(from: 0, to: count, by: configuration.chunkSize).map { $0..<min($0 + configuration.chunkSize, count) }
    }

    /// Decodes exactly one frame. Throws ``WireError`` with `malformedFrame` for a truncated
    /// frame or trailing bytes, `frameTooLarge` for a length over the limit, and the envelope
    /// codes of ``decodeBody(_:configuration:)``.
    public static func decode(_ bytes: [UInt8], configuration: WireConfiguration = .init()) throws -> WireMessage {
        try require(bytes.count >= lengthPrefixBytes, .malformedFrame,
                    "frame is \(bytes.count) bytes, shorter than its \(lengthPrefixBytes)-byte length prefix")
        let length = bytes[0..<4].reduce(0) { $0 << 8 | Int($1) }
        try checkLength(length, configuration: configuration)
        let available = bytes.count - lengthPrefixBytes
        try require(available >= length, .malformedFrame, "frame is truncated: length prefix says \(length) bytes, \(available) follow")
        try require(available == length, .malformedFrame,
                    "frame has \(available - length) trailing bytes after its \(length)-byte body")
        return try decodeBody(bytes[lengthPrefixBytes...], configuration: configuration)
    }

    /// Throws `frameTooLarge` if a length prefix exceeds the limit.
    static func checkLength(_ length: Int, configuration: WireConfiguration) throws {
        try require(length <= configuration.maxFrameBytes, .frameTooLarge,
                    "frame length prefix is \(length) bytes; the limit is \(configuration.maxFrameBytes)")
    }

    /// Decodes a frame body (a serialized Envelope): `malformedFrame` if it is not protobuf,
    /// `unsupportedProtocolVersion`, `unknownMessage`, then each message's validation codes.
    public static func decodeBody(_ body: ArraySlice<UInt8>, configuration: WireConfiguration = .init()) throws -> WireMessage {
        try decodeMessage(ByteSlice(body), configuration: configuration)
    }

    /// Parses a frame body into an Envelope and checks its protocol version: the first half of
    /// ``decodeBody(_:configuration:)``, for bytes of any contiguous kind. `reportedCount`: the size
    /// of the body to name in an error, when `body` is its skeleton.
    static func parseEnvelope<Bytes: SwiftProtobufContiguousBytes>(_ body: Bytes, reportedCount: Int? = nil,
                                                                   configuration: WireConfiguration) throws -> Tributary_V1_Envelope {
        let envelope: Tributary_V1_Envelope
        do {
            envelope = try Tributary_V1_Envelope(serializedBytes: body)
        } catch {
            throw WireError(.malformedFrame, "frame body of \(reportedCount ?? body.count) bytes is not a tributary.v1.Envelope: \(error)")
        }
        try require(configuration.supportedProtocolVersions.contains(envelope.protocolVersion), .unsupportedProtocolVersion,
                    "Envelope.protocol_version is \(envelope.protocolVersion); supported: \(configuration.supportedProtocolVersions.lowerBound)...\(configuration.supportedProtocolVersions.upperBound)")
        return envelope
    }

    /// Sorted map keys: equal messages give equal bytes.
    static let deterministic: BinaryEncodingOptions = {
        var options = BinaryEncodingOptions()
        options.useDeterministicOrdering = true
        return options
    }()

    static func serialize(_ envelope: Tributary_V1_Envelope) throws -> [UInt8] {
        try envelope.serializedBytes(options: deterministic)
    }

    static func frame(_ body: [UInt8]) -> [UInt8] {
        lengthPrefix(body.count) + body
    }
}
