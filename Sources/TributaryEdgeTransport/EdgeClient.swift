import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import TributarySession
import TributaryTransport
import TributaryWire

/// The edge agent's connection to the coordinator: mutual TLS 1.3, one ``EdgeSession``.
public enum EdgeClient {
    /// Connects, waits for the coordinator's Welcome (answering Hello), runs `body` with the open
    /// session, and closes the connection when `body` returns.
    ///
    /// - Throws: ``TransportError`` naming the cause: a refused certificate (expired, other CA,
    ///   none sent), `REVOKED` or `IDENTITY_MISMATCH` from the coordinator's Reject, a TLS
    ///   version mismatch, a timeout, or a refused frame.
    public static func withSession<Result: Sendable>(
        host: String, port: Int, hello: Hello, configuration: EdgeTransportConfiguration,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger,
        _ body: (Welcome, SessionConnection) async throws -> Result
    ) async throws -> Result {
        let configuration = try configuration.validated()
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: configuration.tls)
        } catch {
            throw TransportError(.invalidConfiguration, "TLS configuration refused by swift-nio-ssl: \(error)")
        }
        var logger = logger
        logger[metadataKey: "coordinator.address"] = "\(host):\(port)"
        let connectionLogger = logger
        let channel: NIOAsyncChannel<WireMessage, WireMessage>
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(.nanoseconds(Int64(configuration.connectTimeout.components.seconds * 1_000_000_000
                    + configuration.connectTimeout.components.attoseconds / 1_000_000_000)))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator.transfers)
                .channelOption(.writeBufferWaterMark,
                               value: .init(low: configuration.writeBufferHighWaterMark / 2, high: configuration.writeBufferHighWaterMark))
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        // SNI cannot carry an IP address; without a name swift-nio-ssl checks the
                        // certificate's IP SANs against the address it connected to.
                        let name = configuration.serverHostname.flatMap { isIPAddress($0) ? nil : $0 }
                        let tls = try NIOSSLClientHandler(context: context, serverHostname: name)
                        let session = EdgeSession(hello: hello, configuration: configuration.session)
                        let handler = SessionChannelHandler(
                            machine: session, wire: configuration.wire, logger: connectionLogger,
                            start: { session, now in session.connected(now: now) },
                            explain: { error in TLSFailure.explainOnClient(error, configuration: configuration) })
                        try channel.pipeline.syncOperations.addHandlers([
                            tls,
                            ByteToMessageHandler(try FrameDecoder(configuration: configuration.wire)),
                            handler,
                        ])
                        return try NIOAsyncChannel<WireMessage, WireMessage>(
                            wrappingChannelSynchronously: channel,
                            configuration: .init(backPressureStrategy: .init(lowWatermark: 1, highWatermark: configuration.inboundMessageBuffer)))
                    }
                }
        } catch {
            throw TLSFailure.explainOnClient(error, configuration: configuration)
        }
        return try await channel.executeThenClose { inbound, outbound in
            var iterator = inbound.makeAsyncIterator()
            let first: WireMessage?
            do {
                first = try await iterator.next()
            } catch {
                throw TLSFailure.explainOnClient(error, configuration: configuration)
            }
            guard case .welcome(let welcome)? = first else {
                throw TransportError(.connectionClosed, "the coordinator closed the connection before Welcome")
            }
            logger.debug("session open", metadata: ["session.id": "\(welcome.sessionID)", "model.version": "\(welcome.globalModelVersion)"])
            return try await body(welcome, SessionConnection(iterator: iterator, outbound: outbound, channel: channel.channel))
        }
    }
}

/// True for an IPv4 or IPv6 literal (`127.0.0.1`, `::1`).
func isIPAddress(_ host: String) -> Bool {
    (try? SocketAddress(ipAddress: host, port: 0)) != nil
}
