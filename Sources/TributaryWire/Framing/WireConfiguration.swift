/// Limits of the framing layer. Validated once, by ``validated()``, when a codec is built.
public struct WireConfiguration: Sendable, Hashable {
    /// Bytes a chunk frame adds around its data: Envelope and PayloadChunk tags and varints
    /// (at most 45), rounded up generously.
    public static let chunkOverheadBytes = 64

    /// Largest frame body accepted or sent (bytes after the 4-byte length prefix).
    /// Default 4 MiB + 64 KiB: one default chunk plus headroom. Messages larger than
    /// ``chunkSize`` travel as chunks, so the frame limit never needs to grow with the model.
    public var maxFrameBytes: Int
    /// Largest `data` slice of one ``PayloadChunk``. Default 4 MiB.
    public var chunkSize: Int
    /// Largest message accepted through chunks (``PayloadChunk/totalBytes``). Default 1 GiB:
    /// a RoundOffer for a 64M-parameter float32 model with its EWC Fisher and anchor is 768 MiB.
    public var maxTransferBytes: Int
    /// Envelope protocol versions accepted. Default: this library's ``WireProtocol/version``.
    public var supportedProtocolVersions: ClosedRange<UInt32>

    public init(maxFrameBytes: Int = 4 * 1024 * 1024 + 64 * 1024,
                chunkSize: Int = 4 * 1024 * 1024,
                maxTransferBytes: Int = 1024 * 1024 * 1024,
                supportedProtocolVersions: ClosedRange<UInt32> = WireProtocol.version...WireProtocol.version) {
        self.maxFrameBytes = maxFrameBytes
        self.chunkSize = chunkSize
        self.maxTransferBytes = maxTransferBytes
        self.supportedProtocolVersions = supportedProtocolVersions
    }

    /// Returns `self` if the limits are consistent, else throws ``WireError/Code/invalidValue``.
    public func validated() throws -> WireConfiguration {
        try require(maxFrameBytes > Self.chunkOverheadBytes && maxFrameBytes <= Int(UInt32.max), .invalidValue,
                    "WireConfiguration.maxFrameBytes is \(maxFrameBytes); must be in \(Self.chunkOverheadBytes + 1)...\(UInt32.max)")
        try require(chunkSize > 0 && chunkSize + Self.chunkOverheadBytes <= maxFrameBytes, .invalidValue,
                    "WireConfiguration.chunkSize is \(chunkSize); must be > 0 and leave \(Self.chunkOverheadBytes) bytes of maxFrameBytes \(maxFrameBytes) for the chunk's envelope")
        try require(maxTransferBytes >= maxFrameBytes, .invalidValue,
                    "WireConfiguration.maxTransferBytes is \(maxTransferBytes); must be >= maxFrameBytes \(maxFrameBytes)")
        return self
    }
}
