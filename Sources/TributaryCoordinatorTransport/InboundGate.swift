import NIOCore
import TributaryTransport
import TributaryWire

/// One connection's part of the server's receive ``TransferPermits``: the ``InboundAdmission`` its
/// ``FrameDecoder`` asks, and the handler (between TLS and the decoder) that stops reading the
/// socket while the connection waits for a permit.
///
/// A permit is taken when a large message starts, kept while it is received and while the
/// application holds it, and given back when the application asks for its next message
/// (``Consumer``) or the connection closes.
final class InboundGate: ChannelDuplexHandler, RemovableChannelHandler, InboundAdmission {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum State: Equatable {
        /// No large message under way.
        case idle
        /// Queued for a permit; the socket is not read.
        case waiting
        /// Holding a permit: a large message is being received.
        case receiving
        /// Holding a permit: the message went up and the application has not finished with it.
        case delivered
        /// Holding a permit for a delivered message, and the next large message is at the front:
        /// it waits (socket not read) until the application finished with the first.
        case deliveredAndNextWaiting
        case closed
    }

    let largeFrameBytes: Int
    private let limit: TransferPermits
    /// The queued request while `waiting`.
    private var ticket: TransferPermits.Ticket?
    private(set) var state = State.idle
    private var context: ChannelHandlerContext?
    /// A read the pipeline asked for while waiting, issued once admitted.
    private var readPending = false

    init(limit: TransferPermits, largeFrameBytes: Int = 64 * 1024) {
        self.limit = limit
        self.largeFrameBytes = largeFrameBytes
    }

    /// Tells the gate, from any task, that the application asked for its next message.
    struct Consumer: Sendable {
        fileprivate let gate: NIOLoopBound<InboundGate>

        func consumed() {
            gate.eventLoop.execute { gate.value.consumed() }
        }
    }

    var consumer: Consumer? {
        context.map { Consumer(gate: NIOLoopBound(self, eventLoop: $0.eventLoop)) }
    }

    // MARK: InboundAdmission (asked by the decoder, on the event loop)

    func mayReceive() -> Bool {
        switch state {
        case .idle:
            return take()
        case .delivered:
            state = .deliveredAndNextWaiting
            context?.fireUserInboundEventTriggered(InboundWaiting(waiting: true))
            return false
        case .receiving:
            return true
        case .waiting, .deliveredAndNextWaiting, .closed:
            return false
        }
    }

    func delivered() {
        if state == .receiving { state = .delivered }
    }

    // MARK: permits

    /// Takes a permit now (state `receiving`) or queues for one (state `waiting`).
    private func take() -> Bool {
        guard let context else { return false }
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        ticket = limit.take(orQueue: { bound.eventLoop.execute { bound.value.granted() } })
        guard ticket != nil else {
            state = .receiving
            return true
        }
        state = .waiting
        context.fireUserInboundEventTriggered(InboundWaiting(waiting: true))
        return false
    }

    private func granted() {
        guard state == .waiting else {
            // Closed while the permit was on its way.
            limit.release()
            return
        }
        state = .receiving
        ticket = nil
        context?.fireUserInboundEventTriggered(InboundWaiting(waiting: false))
        resume()
    }

    private func consumed() {
        switch state {
        case .delivered:
            limit.release()
            state = .idle
        case .deliveredAndNextWaiting:
            limit.release()
            state = .idle
            if take() {
                context?.fireUserInboundEventTriggered(InboundWaiting(waiting: false))
                resume()
            }
        case .idle, .waiting, .receiving, .closed:
            break
        }
    }

    /// Lets the decoder run on what it already has, and reads again if the pipeline asked.
    private func resume() {
        guard let context else { return }
        context.fireChannelRead(wrapInboundOut(context.channel.allocator.buffer(capacity: 0)))
        if readPending, state != .waiting, state != .deliveredAndNextWaiting {
            readPending = false
            context.read()
        }
    }

    private func close() {
        switch state {
        case .receiving, .delivered, .deliveredAndNextWaiting:
            limit.release()
        case .waiting:
            // Not in the queue any more: the permit is on its way, and `granted` returns it.
            if let ticket { _ = limit.cancel(ticket) }
        case .idle, .closed:
            break
        }
        state = .closed
    }

    // MARK: ChannelHandler

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        close()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        close()
        context.fireChannelInactive()
    }

    func read(context: ChannelHandlerContext) {
        switch state {
        case .waiting, .deliveredAndNextWaiting:
            readPending = true
        case .idle, .receiving, .delivered, .closed:
            context.read()
        }
    }
}
