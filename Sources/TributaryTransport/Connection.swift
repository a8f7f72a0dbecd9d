import NIOCore
import TributaryWire

/// One open session as the application sees it, on either side: the messages the session
/// delivered (in order, with backpressure) and a writer for the messages to send.
///
/// `next()` returns RoundOffer/ModelRelease/Goodbye (edge) or Update/Goodbye (coordinator),
/// nil after a clean end, and throws a ``TransportError`` when the session ended badly.
/// `send(_:)` waits while the connection's outbound buffer is full; the session refuses what
/// would be out of sequence (an Update for a round not offered…).
public final class SessionConnection {
    private var iterator: NIOAsyncChannelInboundStream<WireMessage>.AsyncIterator
    /// Send side; Sendable, so other tasks may send while this one reads.
    public let outbound: NIOAsyncChannelOutboundWriter<WireMessage>

    init(iterator: NIOAsyncChannelInboundStream<WireMessage>.AsyncIterator, outbound: NIOAsyncChannelOutboundWriter<WireMessage>) {
        self.iterator = iterator
        self.outbound = outbound
    }

    /// The next message the session delivered.
    public func next() async throws -> WireMessage? {
        try await iterator.next()
    }

    /// Queues a message (chunked when large); waits while the outbound buffer is full.
    public func send(_ message: WireMessage) async throws {
        try await outbound.write(message)
    }
}
