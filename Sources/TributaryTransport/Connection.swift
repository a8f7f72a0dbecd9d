import NIOCore
import TributarySession
import TributaryWire

/// One open session as the application sees it, on either side: the messages the session
/// delivered (in order, with backpressure) and a writer for the messages to send.
///
/// `next()` returns RoundOffer/ModelRelease/Goodbye (edge) or Update/Goodbye (coordinator),
/// nil after a clean end, and throws a ``TransportError`` when the session ended badly.
/// `send(_:)` returns once the message's last frame has been written to the socket, so a
/// sender never gets more than one message ahead of a slow reader; the session refuses what
/// would be out of sequence (an Update for a round not offered…).
public final class SessionConnection {
    private var iterator: NIOAsyncChannelInboundStream<WireMessage>.AsyncIterator
    /// Send side without waiting for the socket; Sendable, so other tasks may send while this one reads.
    public let outbound: NIOAsyncChannelOutboundWriter<WireMessage>
    private let channel: any Channel
    /// Tells the inbound transfer limit (coordinator) that the previous message was dealt with.
    private let consumed: (@Sendable () -> Void)?

    package init(iterator: NIOAsyncChannelInboundStream<WireMessage>.AsyncIterator, outbound: NIOAsyncChannelOutboundWriter<WireMessage>,
         channel: any Channel, consumed: (@Sendable () -> Void)? = nil) {
        self.iterator = iterator
        self.outbound = outbound
        self.channel = channel
        self.consumed = consumed
    }

    /// The next message the session delivered.
    ///
    /// On a coordinator, asking for the next message also says the application is done with the
    /// previous one: a large message (an Update) holds one of the server's
    /// ``CoordinatorTransportConfiguration/concurrentReceives`` permits until then.
    public func next() async throws -> WireMessage? {
        consumed?()
        return try await iterator.next()
    }

    /// Sends a message (chunked when large) and waits until its last frame reached the socket.
    /// - Throws: ``TransportError``: `notReady` when the session refuses the message; when the
    ///   connection is gone, the reason the session ended (for example the peer's `frameTooLarge`).
    public func send(_ message: WireMessage) async throws {
        do {
            try await sender.write(message)
        } catch let error as TransportError {
            throw error
        } catch {
            // The connection went away under the write: the session's own reason (the peer's
            // Error or Reject, a timeout…) is at the end of the inbound stream.
            while try await next() != nil {}
            throw TransportError(.connectionClosed, "cannot send \(message.name): the connection closed (\(error))")
        }
    }

    /// A handle that closes this connection from any task, for deadlines the application keeps
    /// (a round that must not wait forever for one client).
    public var closer: SessionCloser { SessionCloser(channel: channel) }

    /// A Sendable handle that sends from another task and waits for the socket (``SessionSender``).
    public var sender: SessionSender { SessionSender(channel: channel) }
}

/// Closes a session's connection; Sendable, so a timer task can hold it.
public struct SessionCloser: Sendable {
    let channel: any Channel

    public func close() {
        channel.close(promise: nil)
    }
}
