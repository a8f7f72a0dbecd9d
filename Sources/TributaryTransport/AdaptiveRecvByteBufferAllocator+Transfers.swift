import NIOCore

extension AdaptiveRecvByteBufferAllocator {
    /// Socket reads sized for connections that move multi-megabyte models: they grow up to 1 MiB
    /// (NIO's default stops at 64 KiB), so a 64 MB transfer takes tens of reads, not a thousand.
    package static var transfers: AdaptiveRecvByteBufferAllocator {
        AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 16 * 1024, maximum: 1024 * 1024)
    }
}
