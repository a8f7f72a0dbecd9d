import Foundation
import Logging
import NIOCore
import NIOSSL
import NIOTLS
import TributarySession
import TributaryWire

/// The thin shell around a session state machine: feeds it the channel's events and performs
/// the actions it returns. Sits above `FrameDecoder`, below the application's `NIOAsyncChannel`,
/// and writes frames itself (`OutgoingFrames`): a large message's chunk frames are produced
/// piece by piece as the channel can take them, straight from the message's scalars, so
/// encoding overlaps the transfer.
///
/// - Inbound: decoded messages go to the machine; what it delivers goes up to the application.
///   The application's `NIOAsyncChannel` stops reading the socket while it has not consumed
///   `inboundMessageBuffer` messages, so a slow application never makes this side buffer more.
/// - Outbound: a message the application writes is checked by the machine and queued as its
///   `OutgoingFrames` (chunk frames when large, as `FrameCodec.split` would); the queue is written,
///   in pieces of at most ``writeSize`` each flushed at once, only while the channel is writable
///   (below its high-water mark). Heartbeats jump ahead of queued messages at the next frame boundary.
/// - Timers: NIO scheduled tasks, one per ``SessionTimer``, as the machine asks.
/// - Errors: TLS failures, refused frames and session endings reach the application as one
///   ``TransportError`` thrown from its inbound stream.
package final class SessionChannelHandler<Machine: SessionMachine>: ChannelDuplexHandler, RemovableChannelHandler {
    package typealias InboundIn = WireMessage
    package typealias InboundOut = WireMessage
    package typealias OutboundIn = WireMessage
    package typealias OutboundOut = ByteBuffer

    private struct Pending {
        var frames: OutgoingFrames
        var promise: EventLoopPromise<Void>?
    }

    /// Most bytes written (and flushed, so TLS encrypts and the socket sends them) at a time: small
    /// enough that the peer decrypts one piece while this side encodes and encrypts the next, and
    /// that the TLS handler's buffer, whose capacity each connection keeps, stays small (a coordinator
    /// with 1,000 clients that were each sent the model: 569 MB at 256 KiB, 178 MB at 64 KiB).
    package static var writeSize: Int { 64 * 1024 }
    private let writeSize: Int

    private var machine: Machine
    private let start: (inout Machine, ContinuousClock.Instant) -> [SessionAction]
    private let explain: (any Error) -> TransportError
    private let onEnd: (TransportError?) -> Void
    private let wire: WireConfiguration
    private var logger: Logger
    private var context: ChannelHandlerContext?
    private var timers: [SessionTimer: Scheduled<Void>] = [:]
    private var queue: [Pending] = []
    /// Heartbeats, written before `queue` at the next frame boundary.
    private var urgent: [Pending] = []
    private var nextTransferID: UInt64 = 1
    private var closing = false
    private var closeScheduled = false
    private var lastWrite: EventLoopFuture<Void>?
    /// Longest wait for the last frames to leave before a close is forced.
    package static var closeGrace: TimeAmount { .seconds(10) }
    private var reported = false
    private var started = false
    /// The inbound gate holds back a large message of the peer's (``InboundWaiting``).
    private var waitingForAdmission = false

    /// - Parameters:
    ///   - start: called once the TLS handshake completes; returns the machine's first actions.
    ///   - explain: turns a TLS or socket error into a ``TransportError`` naming the likely cause.
    ///   - onEnd: told once how the session ended (nil: cleanly).
    package init(machine: Machine, wire: WireConfiguration, logger: Logger, writeSize: Int = SessionChannelHandler.writeSize,
         start: @escaping (inout Machine, ContinuousClock.Instant) -> [SessionAction],
         explain: @escaping (any Error) -> TransportError,
         onEnd: @escaping (TransportError?) -> Void = { _ in }) {
        self.machine = machine
        self.writeSize = writeSize
        self.wire = wire
        self.logger = logger
        self.start = start
        self.explain = explain
        self.onEnd = onEnd
    }

    package func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    package func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimers()
        self.context = nil
    }

    package func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event, !started {
            started = true
            perform(start(&machine, .now))
        }
        if let revocation = event as? SessionRevocation {
            perform(machine.revoked(detail: revocation.detail))
            return
        }
        if let inbound = event as? InboundWaiting {
            if inbound.waiting || waitingForAdmission { machine.peerIsSending(now: .now) }
            waitingForAdmission = inbound.waiting
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = unwrapInboundIn(data)
        perform(machine.received(message, now: .now))
    }

    package func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let wireError = error as? WireError {
            logger.info("refused an inbound frame", metadata: ["wire.code": "\(wireError.code)", "reason": "\(wireError.reason)"])
            perform(machine.decodingFailed(wireError))
            return
        }
        if closing || reported { return }
        report(explain(error))
        closing = true
        context.close(promise: nil)
    }

    package func channelInactive(context: ChannelHandlerContext) {
        cancelTimers()
        let error = machine.disconnected()
        if !reported {
            report(error.map(TransportError.init))
        }
        for pending in urgent + queue { pending.promise?.fail(ChannelError.ioOnClosedChannel) }
        urgent.removeAll()
        queue.removeAll()
        context.fireChannelInactive()
    }

    package func channelWritabilityChanged(context: ChannelHandlerContext) {
        drain()
        context.fireChannelWritabilityChanged()
    }

    package func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let message = unwrapOutboundIn(data)
        do {
            let actions = try machine.send(message, now: .now)
            perform(actions, promise: promise)
        } catch {
            logger.info("refused to send", metadata: ["message": "\(message.name)", "reason": "\(error)"])
            promise?.fail(error)
        }
    }

    package func flush(context: ChannelHandlerContext) {
        drain()
    }

    // MARK: performing actions

    private func perform(_ actions: [SessionAction], promise: EventLoopPromise<Void>? = nil) {
        var promise = promise
        for action in actions {
            switch action {
            case .send(let message):
                enqueue(message, promise: promise)
                promise = nil
            case .deliver(let message):
                context?.fireChannelRead(wrapInboundOut(message))
            case .schedule(let timer, let deadline):
                schedule(timer, at: deadline)
            case .cancel(let timer):
                timers.removeValue(forKey: timer)?.cancel()
            case .close(let error):
                if let error {
                    logger.info("session ended", metadata: ["session.code": "\(error.code)", "reason": "\(error.reason)"])
                }
                report(error.map(TransportError.init))
                closing = true
            }
        }
        promise?.succeed()
        drain()
    }

    private func enqueue(_ message: WireMessage, promise: EventLoopPromise<Void>?) {
        let frames: OutgoingFrames
        do {
            frames = try OutgoingFrames(message, transferID: nextTransferID, configuration: wire.fitting(machine.peerMaxFrameBytes))
        } catch {
            logger.info("cannot send", metadata: ["message": "\(message.name)", "reason": "\(error)"])
            promise?.fail(error)
            return
        }
        if frames.isChunked { nextTransferID += 1 }
        if case .heartbeat = message {
            // Frames are written whole, so a heartbeat may go between the chunks of a transfer:
            // a slow link that is still moving a big payload is never taken for a dead one.
            urgent.append(Pending(frames: frames, promise: promise))
        } else {
            queue.append(Pending(frames: frames, promise: promise))
        }
    }

    private func drain() {
        guard let context else { return }
        while context.channel.isWritable || closing {
            let next: (ByteBuffer, EventLoopPromise<Void>)
            if !urgent.isEmpty, queue.first?.frames.isMidFrame != true {
                next = nextPiece(of: &urgent, context)
            } else if !queue.isEmpty {
                next = nextPiece(of: &queue, context)
            } else {
                break
            }
            // Outside the queue's access: writing may re-enter `drain` (writability changed).
            context.writeAndFlush(wrapOutboundOut(next.0), promise: next.1)
            lastWrite = next.1.futureResult
        }
        if closing, queue.isEmpty, urgent.isEmpty, !closeScheduled, context.channel.isActive {
            closeAfterWrites(context)
        }
    }

    /// The next piece of the first message of `pending`, and the promise of its write: the
    /// message's own promise for its last piece.
    private func nextPiece(of pending: inout [Pending], _ context: ChannelHandlerContext) -> (ByteBuffer, EventLoopPromise<Void>) {
        let piece = pending[0].frames.next(maxBytes: writeSize, allocator: context.channel.allocator)
        let promise: EventLoopPromise<Void>
        if pending[0].frames.isFinished {
            promise = pending.removeFirst().promise ?? context.eventLoop.makePromise()
        } else {
            promise = context.eventLoop.makePromise()
        }
        return (piece, promise)
    }

    /// Closes once everything written so far has reached the socket (closing earlier would drop
    /// the final Error, Reject or Goodbye, or the end of a transfer, in front of a slow reader),
    /// or after `closeGrace` at the latest.
    private func closeAfterWrites(_ context: ChannelHandlerContext) {
        closeScheduled = true
        guard let lastWrite else {
            context.close(promise: nil)
            return
        }
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let deadline = context.eventLoop.scheduleTask(in: Self.closeGrace) {
            bound.value.close(promise: nil)
        }
        lastWrite.whenComplete { _ in
            deadline.cancel()
            bound.value.close(promise: nil)
        }
    }

    private func schedule(_ timer: SessionTimer, at deadline: ContinuousClock.Instant) {
        guard let context else { return }
        timers.removeValue(forKey: timer)?.cancel()
        let delay = ContinuousClock.now.duration(to: deadline)
        let nanoseconds = max(0, delay.components.seconds * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000)
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        timers[timer] = context.eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) {
            bound.value.fire(timer)
        }
    }

    private func fire(_ timer: SessionTimer) {
        timers[timer] = nil
        if timer == .idle, waitingForAdmission { machine.peerIsSending(now: .now) }
        let unixMilliseconds = Int64(Date().timeIntervalSince1970 * 1000)
        perform(machine.timerFired(timer, now: .now, unixMilliseconds: unixMilliseconds))
    }

    private func cancelTimers() {
        for (_, task) in timers { task.cancel() }
        timers.removeAll()
    }

    private func report(_ error: TransportError?) {
        guard !reported else { return }
        reported = true
        onEnd(error)
        if let error { context?.fireErrorCaught(error) }
    }
}
