import NIOCore
import NIOSSL
import NIOTLS
import TributaryTransport

/// Closes a connection whose TLS handshake has not completed within `timeout` of being
/// accepted (a peer that never sends a ClientHello, or stalls half way), reporting
/// ``TransportError/Code/tlsHandshakeTimeout``. Sits right after the TLS handler.
final class TLSHandshakeDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let timeout: Duration
    private var deadline: Scheduled<Void>?

    init(timeout: Duration) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let timeout = timeout
        deadline = context.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            let context = bound.value
            context.fireErrorCaught(TransportError(.tlsHandshakeTimeout, "no TLS handshake completed within \(timeout) of connecting; connection closed"))
            context.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event {
            deadline?.cancel()
            deadline = nil
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }
}
