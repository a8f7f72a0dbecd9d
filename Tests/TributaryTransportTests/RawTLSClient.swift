import NIOCore
import NIOPosix
import NIOSSL
import TributaryEdgeTransport
import TributaryTransport
import TributaryWire
import X509

/// A client that speaks TLS but not the protocol: it writes whatever bytes a test gives it and
/// collects the frames the coordinator sends back, to probe the coordinator's refusals.
struct RawTLSClient {
    let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>

    static func connect(port: Int, configuration: EdgeTransportConfiguration) async throws -> RawTLSClient {
        let context = try NIOSSLContext(configuration: configuration.tls)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: nil))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return RawTLSClient(channel: channel)
    }

    /// Reads the first frame (Welcome), writes `bytes`, then returns every frame until the
    /// coordinator closes the connection.
    func exchange(_ bytes: [UInt8]) async throws -> (first: WireMessage?, replies: [WireMessage]) {
        let (first, received) = try await exchangeBytes(bytes)
        var rest = received
        var replies: [WireMessage] = []
        while let (message, used) = Self.frame(in: rest) {
            replies.append(message)
            rest.removeFirst(used)
        }
        return (first, replies)
    }

    /// As ``exchange(_:)``, but the replies as raw frames (length prefix included), as sent.
    func exchangeFrames(_ bytes: [UInt8]) async throws -> (first: WireMessage?, frames: [[UInt8]]) {
        let (first, received) = try await exchangeBytes(bytes)
        var frames: [[UInt8]] = []
        var offset = 0
        while received.count - offset >= 4 {
            let length = received[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            guard received.count - offset >= 4 + length else { break }
            frames.append(Array(received[offset..<offset + 4 + length]))
            offset += 4 + length
        }
        return (first, frames)
    }

    /// Reads the first frame, writes `bytes`, then returns the bytes received until the close.
    private func exchangeBytes(_ bytes: [UInt8]) async throws -> (first: WireMessage?, received: [UInt8]) {
        try await channel.executeThenClose { inbound, outbound in
            var received: [UInt8] = []
            var iterator = inbound.makeAsyncIterator()
            var first: WireMessage?
            while first == nil, let buffer = try await iterator.next() {
                received += Array(buffer.readableBytesView)
                if let (message, used) = Self.frame(in: received) {
                    first = message
                    received.removeFirst(used)
                }
            }
            try await outbound.write(ByteBuffer(bytes: bytes))
            do {
                while let buffer = try await iterator.next() { received += Array(buffer.readableBytesView) }
            } catch {
                // The coordinator closes after its Error frame; a TLS close error is expected.
            }
            return (first, received)
        }
    }

    static func frame(in bytes: [UInt8]) -> (WireMessage, Int)? {
        guard bytes.count >= 4 else { return nil }
        let length = bytes[0..<4].reduce(0) { $0 << 8 | Int($1) }
        guard bytes.count >= 4 + length else { return nil }
        guard let message = try? FrameCodec.decode(Array(bytes[0..<(4 + length)])) else { return nil }
        return (message, 4 + length)
    }
}
