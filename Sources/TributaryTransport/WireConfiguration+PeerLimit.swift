import TributaryWire

extension WireConfiguration {
    /// These limits with every frame sent cut to at most `peerMaxFrameBytes` (the body after the
    /// length prefix, as the peer announced it): a message over it travels as chunks whose data
    /// leaves room for the chunk's envelope. Nil, or a limit above ours: unchanged.
    func fitting(_ peerMaxFrameBytes: Int?) -> WireConfiguration {
        guard let limit = peerMaxFrameBytes, limit < maxFrameBytes else { return self }
        var fitted = self
        fitted.maxFrameBytes = limit
        fitted.chunkSize = min(chunkSize, limit - Self.chunkOverheadBytes)
        return fitted
    }
}
