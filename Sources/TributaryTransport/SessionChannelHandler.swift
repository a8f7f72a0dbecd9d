import Foundation
import Logging
import NIOCore
import NIOSSL
import NIOTLS
import TributarySession
import TributaryWire

/// The thin shell around a session state machine: feeds it the channel's events and performs
/// the actions it returns. Sits above `FrameDecoder`, below the application's `NIOAsyncChannel`,
/// and writes frames itself (`FrameCodec.encodeFrames`), so a large message is serialized once
/// and its chunk frames are cut from that one body.
///
/// - Inbound: decoded messages go to the machine; what it delivers goes up to the application.
///   The application's `NIOAsyncChannel` stops reading the socket while it has not consumed
///   `inboundMessageBuffer` messages, so a slow application never makes this side buffer more.
/// - Outbound: a message the application writes is checked by the machine, encoded into frames
///   (chunk frames when large, as `FrameCodec.split` would) and queued; the queue is written only while the channel is writable
///   (below its high-water mark), and Heartbeat/Error/Goodbye jump ahead of queued chunks.
/// - Timers: NIO scheduled tasks, one per ``SessionTimer``, as the machine asks.
/// - Errors: TLS failures, refused frames and session endings reach the application as one
///   ``TransportError`` thrown from its inbound stream.
final class SessionChannelHandler<Machine: SessionMachine>: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = WireMessage
    typealias InboundOut = WireMessage
    typealias OutboundIn = WireMessage
    typealias OutboundOut = ByteBuffer

    private struct Pending {
        var frame: ByteBuffer
        var promise: EventLoopPromise<Void>?
    }

    private var machine: Machine
    private let start: (inout Machine, ContinuousClock.Instant) -> [SessionAction]
    private let explain: (any Error) -> TransportError
    private let onEnd: (TransportError?) -> Void
    private let wire: WireConfiguration
    private var logger: Logger
    private var context: ChannelHandlerContext?
    private var timers: [SessionTimer: Scheduled<Void>] = [:]
    private var queue: [Pending] = []
    private var nextTransferID: UInt64 = 1
    private var closing = false
    private var closeScheduled = false
    private var lastWrite: EventLoopFuture<Void>?
    /// Longest wait for the last frames to leave before a close is forced.
    static var closeGrace: TimeAmount { .seconds(10) }
    private var reported = false
    private var started = false

    /// - Parameters:
    ///   - start: called once the TLS handshake completes; returns the machine's first actions.
    ///   - explain: turns a TLS or socket error into a ``TransportError`` naming the likely cause.
    ///   - onEnd: told once how the session ended (nil: cleanly).
    init(machine: Machine, wire: WireConfiguration, logger: Logger,
         start: @escaping (inout Machine, ContinuousClock.Instant) -> [SessionAction],
         explain: @escaping (any Error) -> TransportError,
         onEnd: @escaping (TransportError?) -> Void = { _ in }) {
        self.machine = machine
        self.wire = wire
        self.logger = logger
        self.start = start
        self.explain = explain
        self.onEnd = onEnd
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimers()
        self.context = nil
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event, !started {
            started = true
            perform(start(&machine, .now))
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = unwrapInboundIn(data)
        perform(machine.received(message, now: .now))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
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

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimers()
        let error = machine.disconnected()
        if !reported {
            report(error.map(TransportError.init))
        }
        for pending in queue { pending.promise?.fail(ChannelError.ioOnClosedChannel) }
        queue.removeAll()
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        drain()
        context.fireChannelWritabilityChanged()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let message = unwrapOutboundIn(data)
        do {
            let actions = try machine.send(message, now: .now)
            perform(actions, promise: promise)
        } catch {
            logger.info("refused to send", metadata: ["message": "\(message.name)", "reason": "\(error)"])
            promise?.fail(error)
        }
    }

    func flush(context: ChannelHandlerContext) {
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
        let pieces: [ByteBuffer]
        do {
            pieces = try FrameCodec.encodeFrames(message, transferID: nextTransferID, configuration: wire,
                                                 allocator: context?.channel.allocator ?? ByteBufferAllocator())
        } catch {
            logger.info("cannot send", metadata: ["message": "\(message.name)", "reason": "\(error)"])
            promise?.fail(error)
            return
        }
        if pieces.count > 1 { nextTransferID += 1 }
        let entries = pieces.enumerated().map { index, piece in
            Pending(frame: piece, promise: index == pieces.count - 1 ? promise : nil)
        }
        if case .heartbeat = message, !queue.isEmpty {
            // Frames are written whole, so a heartbeat may go between the chunks of a transfer:
            // a slow link that is still moving a big payload is never taken for a dead one.
            queue.insert(contentsOf: entries, at: 0)
        } else {
            queue.append(contentsOf: entries)
        }
    }

    private func drain() {
        guard let context else { return }
        var wrote = false
        while !queue.isEmpty, context.channel.isWritable || closing {
            let pending = queue.removeFirst()
            let promise = pending.promise ?? context.eventLoop.makePromise(of: Void.self)
            context.write(wrapOutboundOut(pending.frame), promise: promise)
            lastWrite = promise.futureResult
            wrote = true
        }
        if wrote { context.flush() }
        if closing, queue.isEmpty, !closeScheduled, context.channel.isActive {
            closeAfterWrites(context)
        }
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
