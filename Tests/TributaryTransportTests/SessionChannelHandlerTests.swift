import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOTLS
import Testing
import TributarySession
import TributaryTransport
import TributaryWire

/// `SessionChannelHandler` on an `EmbeddedChannel`, with a scripted session machine: what it
/// queues while the channel cannot take more, the order it writes in, where a heartbeat may
/// overtake, what it delivers, and how it closes. No sockets, no TLS, no timers fire.
@Suite("Session channel handler")
struct SessionChannelHandlerTests {
    /// Sends what the application writes, delivers what arrives, and on a revocation sends
    /// Goodbye and closes with `revoked`: the handler's contract, not a real session's rules.
    struct ScriptedMachine: SessionMachine {
        mutating func received(_ message: WireMessage, now: ContinuousClock.Instant) -> [SessionAction] { [.deliver(message)] }
        mutating func send(_ message: WireMessage, now: ContinuousClock.Instant) throws -> [SessionAction] {
            if case .welcome = message { throw SessionError(.notReady, "an edge does not send Welcome") }
            return [.send(message)]
        }
        mutating func timerFired(_ timer: SessionTimer, now: ContinuousClock.Instant, unixMilliseconds: Int64) -> [SessionAction] { [] }
        mutating func decodingFailed(_ error: WireError) -> [SessionAction] { [.close(SessionError(.malformedFrame, error.reason))] }
        mutating func disconnected() -> SessionError? { SessionError(.connectionClosed, "closed without Goodbye") }
        mutating func revoked(detail: String) -> [SessionAction] {
            [.send(.goodbye(Goodbye(reason: .revoked, detail: detail))), .close(SessionError(.revoked, detail))]
        }
        mutating func peerIsSending(now: ContinuousClock.Instant) {}
        var peerMaxFrameBytes: Int? { nil }
    }

    /// Stops the channel's writability after `afterWrites` writes have passed, as a socket whose
    /// buffer filled would: the handler then holds the rest of its queue.
    final class WritabilityValve: ChannelOutboundHandler, RemovableChannelHandler {
        typealias OutboundIn = ByteBuffer
        var afterWrites: Int?

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            context.write(data, promise: promise)
            guard let remaining = afterWrites else { return }
            afterWrites = remaining - 1
            if remaining - 1 == 0, let channel = context.channel as? EmbeddedChannel {
                channel.isWritable = false
                afterWrites = nil
            }
        }
    }

    /// Every `onEnd` report, in order (touched only on the embedded loop's thread).
    final class Endings {
        var reported: [TransportError?] = []
    }

    struct Harness {
        let channel: EmbeddedChannel
        let valve: WritabilityValve
        let endings: Endings
    }

    /// A connected channel with the valve below the handler; the TLS handshake has completed.
    static func harness(writeSize: Int = 64) throws -> Harness {
        let valve = WritabilityValve()
        let endings = Endings()
        let handler = SessionChannelHandler(
            machine: ScriptedMachine(), wire: WireConfiguration(), logger: .init(label: "test"), writeSize: writeSize,
            start: { _, _ in [] },
            explain: { TransportError(.tlsFailure, "\($0)") },
            onEnd: { endings.reported.append($0) })
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([valve, handler])
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 7443)).wait()
        channel.pipeline.fireUserInboundEventTriggered(TLSUserEvent.handshakeCompleted(negotiatedProtocol: nil))
        return Harness(channel: channel, valve: valve, endings: endings)
    }

    /// The messages in everything written so far, decoded as the peer would, the number of
    /// writes and the largest after the first (the first piece of a frame also holds its headers).
    static func written(_ channel: EmbeddedChannel) throws -> (messages: [WireMessage], writes: Int, largestAfterFirst: Int) {
        var bytes = ByteBuffer()
        var writes = 0
        var largest = 0
        while let piece = try channel.readOutbound(as: ByteBuffer.self) {
            bytes.writeImmutableBuffer(piece)
            if writes > 0 { largest = max(largest, piece.readableBytes) }
            writes += 1
        }
        let peer = EmbeddedChannel(handler: ByteToMessageHandler(try FrameDecoder(configuration: WireConfiguration())))
        try peer.writeInbound(bytes)
        var messages: [WireMessage] = []
        while let message = try peer.readInbound(as: WireMessage.self) { messages.append(message) }
        _ = try peer.finish()
        return (messages, writes, largest)
    }

    static func ready(_ trigger: String) -> WireMessage {
        .ready(Ready(device: DeviceFacts(examplesAvailable: 10, charging: true, meteredNetwork: false, modelVersion: 1), trigger: trigger))
    }

    static let heartbeat = WireMessage.heartbeat(Heartbeat(sequence: 1, unixMilliseconds: 1_700_000_000_000))

    @Test func messagesWrittenWhileNotWritableWaitAndLeaveInOrderOnceWritable() throws {
        let h = try Self.harness()
        h.channel.isWritable = false
        let first = h.channel.writeAndFlush(Self.ready("first"))
        let second = h.channel.writeAndFlush(WireMessage.update(WireSamples.update(seed: 7)))
        let third = h.channel.writeAndFlush(Self.ready("third"))
        #expect(try Self.written(h.channel).writes == 0, "nothing may be written while the channel is not writable")

        h.channel.isWritable = true
        h.channel.pipeline.fireChannelWritabilityChanged()
        let out = try Self.written(h.channel)
        #expect(out.messages == [Self.ready("first"), .update(WireSamples.update(seed: 7)), Self.ready("third")])
        #expect(out.writes > 3, "the Update goes out in pieces")
        for promise in [first, second, third] { try promise.wait() }
        #expect(h.endings.reported.isEmpty)
    }

    @Test func aMessageIsSentInPiecesAndItsPromiseCompletesWithItsLastPiece() throws {
        let h = try Self.harness(writeSize: 64)
        let update = WireMessage.update(WireSamples.update(seed: 3))
        let frameBytes = try FrameCodec.encode(update).count
        h.valve.afterWrites = 1
        let done = NIOLockedValueBox(false)
        h.channel.writeAndFlush(update).whenSuccess { done.withLockedValue { $0 = true } }
        #expect(!done.withLockedValue { $0 }, "one 64-byte piece of a \(frameBytes)-byte frame went; the message is not sent yet")

        h.channel.isWritable = true
        h.channel.pipeline.fireChannelWritabilityChanged()
        let out = try Self.written(h.channel)
        #expect(done.withLockedValue { $0 })
        #expect(out.messages == [update])
        // After the first piece (length prefix and headers with the first bytes of the body),
        // each piece holds at most writeSize bytes of the body.
        #expect(out.writes >= frameBytes / 64 && out.largestAfterFirst <= 64)
    }

    @Test func aHeartbeatOvertakesQueuedMessagesAtTheNextFrameBoundaryNeverInsideAFrame() throws {
        let h = try Self.harness(writeSize: 64)
        let update = WireMessage.update(WireSamples.update(seed: 5))
        h.valve.afterWrites = 1  // the Update's first piece leaves, then the socket is full
        _ = h.channel.writeAndFlush(update)
        _ = h.channel.writeAndFlush(Self.ready("queued"))
        _ = h.channel.writeAndFlush(Self.heartbeat)

        h.channel.isWritable = true
        h.channel.pipeline.fireChannelWritabilityChanged()
        // The rest of the Update first (a frame is never cut), then the heartbeat, then the rest.
        #expect(try Self.written(h.channel).messages == [update, Self.heartbeat, Self.ready("queued")])
    }

    @Test func inboundMessagesAreDeliveredToTheApplicationInOrder() throws {
        let h = try Self.harness()
        try h.channel.writeInbound(Self.ready("a"))
        try h.channel.writeInbound(Self.heartbeat)
        #expect(try h.channel.readInbound(as: WireMessage.self) == Self.ready("a"))
        #expect(try h.channel.readInbound(as: WireMessage.self) == Self.heartbeat)
        #expect(try h.channel.readInbound(as: WireMessage.self) == nil)
    }

    @Test func aSendTheMachineRefusesFailsItsPromiseAndSendsNothing() throws {
        let h = try Self.harness()
        let refused = h.channel.writeAndFlush(WireMessage.welcome(Welcome(sessionID: "s1", globalModelVersion: 1, heartbeatIntervalMilliseconds: 1000)))
        #expect(throws: SessionError(.notReady, "")) { try refused.wait() }
        #expect(try Self.written(h.channel).writes == 0)
        #expect(h.channel.isActive)
    }

    @Test func aCloseWritesWhatIsQueuedEvenWhenNotWritableThenClosesAndReportsOnce() throws {
        let h = try Self.harness()
        h.channel.isWritable = false
        let queued = h.channel.writeAndFlush(Self.ready("before the end"))
        h.channel.pipeline.fireUserInboundEventTriggered(SessionRevocation(detail: "serial 0a is on the deny list"))
        h.channel.embeddedEventLoop.run()

        // The queued message and the machine's Goodbye leave in order; then the channel closes.
        let out = try Self.written(h.channel)
        #expect(out.messages == [Self.ready("before the end"), .goodbye(Goodbye(reason: .revoked, detail: "serial 0a is on the deny list"))])
        try queued.wait()
        #expect(!h.channel.isActive)
        #expect(h.endings.reported.map { $0?.code } == [.revoked], "the ending is reported once, with the session's code")
        #expect(throws: TransportError(.revoked, "")) { try h.channel.throwIfErrorCaught() }
    }

    @Test func writesStillQueuedWhenTheConnectionDropsFailAndTheEndIsReported() throws {
        let h = try Self.harness()
        h.channel.isWritable = false
        let queued = h.channel.writeAndFlush(Self.ready("never sent"))
        try h.channel.close().wait()
        #expect(throws: ChannelError.ioOnClosedChannel) { try queued.wait() }
        #expect(h.endings.reported.map { $0?.code } == [.connectionClosed])
    }
}
