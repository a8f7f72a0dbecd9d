import NIOCore
import NIOEmbedded
import Testing
@testable import TributaryCoordinatorTransport
import TributaryTransport
import TributaryWire

/// The coordinator's bound on large inbound messages, without sockets: connections sharing an
/// ``TransferPermits`` deliver their Updates only while they hold a permit.
@Suite("Inbound transfer limit")
struct InboundGateTests {
    /// A connection's inbound side: the gate below the frame decoder, as the server builds it.
    struct Connection {
        let channel: EmbeddedChannel
        let gate: InboundGate

        init(limit: TransferPermits, wire: WireConfiguration = .init()) throws {
            gate = InboundGate(limit: limit)
            channel = EmbeddedChannel()
            try channel.pipeline.syncOperations.addHandlers([gate, ByteToMessageHandler(try FrameDecoder(configuration: wire, admission: gate))])
        }

        func receive(_ frames: [[UInt8]]) throws {
            for frame in frames { try channel.writeInbound(channel.allocator.buffer(bytes: frame)) }
        }

        /// Messages delivered so far (after running what other connections scheduled on this one's loop).
        func delivered() throws -> [WireMessage] {
            channel.embeddedEventLoop.run()
            var messages: [WireMessage] = []
            while let message = try channel.readInbound(as: WireMessage.self) { messages.append(message) }
            return messages
        }

        /// What `SessionConnection.next()` does when the application asks for its next message.
        func applicationAsksForNext() {
            gate.consumer?.consumed()
            channel.embeddedEventLoop.run()
        }
    }

    /// An Update whose delta is 40,000 floats (160 KB), over the 64 KiB admission threshold.
    static let update = WireMessage.update(Samples.update(round: 1, count: 40_000))

    @Test("with one permit, a second connection's Update waits until the first was dealt with")
    func secondWaits() throws {
        let limit = try TransferPermits(permits: 1)
        let a = try Connection(limit: limit)
        let b = try Connection(limit: limit)
        try a.receive([try FrameCodec.encode(Self.update)])
        #expect(try a.delivered() == [Self.update])
        try b.receive([try FrameCodec.encode(Self.update)])
        #expect(try b.delivered().isEmpty)
        #expect(limit.waiting == 1)
        #expect(b.gate.state == .waiting)

        a.applicationAsksForNext()
        #expect(try b.delivered() == [Self.update])
        #expect(limit.waiting == 0 && limit.available == 0)
        b.applicationAsksForNext()
        #expect(limit.available == 1)
    }

    @Test("a chunked transfer of frames under the threshold waits like a large frame; small messages pass")
    func chunkedAndSmall() throws {
        let limit = try TransferPermits(permits: 1)
        let wire = WireConfiguration(maxFrameBytes: 64 * 1024, chunkSize: 48 * 1024)
        let a = try Connection(limit: limit, wire: wire)
        let b = try Connection(limit: limit, wire: wire)
        let chunks = try FrameCodec.encodeChunked(Self.update, transferID: 1, configuration: wire)
        #expect(chunks.count == 4)
        try a.receive(chunks)
        #expect(try a.delivered() == [Self.update])

        let heartbeat = WireMessage.heartbeat(Heartbeat(sequence: 1, unixMilliseconds: 5))
        try b.receive([try FrameCodec.encode(heartbeat)])
        #expect(try b.delivered() == [heartbeat])
        try b.receive(chunks)
        #expect(try b.delivered().isEmpty)
        a.applicationAsksForNext()
        #expect(try b.delivered() == [Self.update])
    }

    @Test("a connection that closes gives its permit back, holding it or waiting for it")
    func closeReleases() throws {
        let limit = try TransferPermits(permits: 1)
        let a = try Connection(limit: limit)
        let b = try Connection(limit: limit)
        let c = try Connection(limit: limit)
        try a.receive([try FrameCodec.encode(Self.update)])
        try b.receive([try FrameCodec.encode(Self.update)])
        try c.receive([try FrameCodec.encode(Self.update)])
        #expect(limit.waiting == 2)
        _ = try? b.channel.finish()
        #expect(limit.waiting == 1)
        _ = try? a.channel.finish()
        #expect(try c.delivered() == [Self.update])
        _ = try? c.channel.finish()
        #expect(limit.available == 1 && limit.waiting == 0)
    }

    @Test("a second Update on the same connection waits until the application took the first")
    func sameConnection() throws {
        let limit = try TransferPermits(permits: 4)
        let a = try Connection(limit: limit)
        try a.receive([try FrameCodec.encode(Self.update), try FrameCodec.encode(Self.update)])
        #expect(try a.delivered().count == 1)
        #expect(a.gate.state == .deliveredAndNextWaiting)
        a.applicationAsksForNext()
        #expect(try a.delivered().count == 1)
        a.applicationAsksForNext()
        #expect(limit.available == 4)
    }

    @Test("a limit below one permit is refused, naming the value")
    func invalid() {
        #expect(throws: TransportError.self) { try TransferPermits(permits: 0) }
    }
}
