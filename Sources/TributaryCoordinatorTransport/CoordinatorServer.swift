import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import TributaryCertificates
import TributarySession
import TributaryTransport
import TributaryWire

/// A client whose session is open (Hello accepted): its identity, its Hello, and the connection.
public struct CoordinatorClient {
    /// The identity from the client's certificate (Hello matched it).
    public let clientID: String
    public let hello: Hello
    public let connection: SessionConnection
}

/// The coordinator's listening socket: mutual TLS 1.3, one ``CoordinatorSession`` per client.
///
/// ```swift
/// let server = try await CoordinatorServer.bind(host: "127.0.0.1", port: 0, configuration: config, logger: logger)
/// try await server.run { client in
///     try await client.connection.send(.roundOffer(offer))
///     while let message = try await client.connection.next() { … }
/// }
/// ```
public final class CoordinatorServer: Sendable {
    public typealias Child = NIOAsyncChannel<WireMessage, WireMessage>
    /// An accepted connection and its part of the inbound transfer limit.
    struct Accepted: Sendable {
        let child: Child
        let gate: InboundGate.Consumer?
    }

    /// The bound address (port 0 picks a free one).
    public let localAddress: SocketAddress
    /// Every refused connection or session that ended badly, newest kept if nobody reads.
    public let refusals: AsyncStream<TransportError>
    private let refusalSink: AsyncStream<TransportError>.Continuation
    private let channel: NIOAsyncChannel<Accepted, Never>
    private let logger: Logger
    private let sessions: OpenSessions
    private let denyList: DenyListState
    private let revocationCheck: Duration

    private init(channel: NIOAsyncChannel<Accepted, Never>, refusals: AsyncStream<TransportError>,
                 sink: AsyncStream<TransportError>.Continuation, logger: Logger,
                 sessions: OpenSessions, denyList: DenyListState, revocationCheck: Duration) throws {
        self.channel = channel
        self.sessions = sessions
        self.denyList = denyList
        self.revocationCheck = revocationCheck
        guard let address = channel.channel.localAddress else {
            throw TransportError(.invalidConfiguration, "the server socket has no local address")
        }
        self.localAddress = address
        self.refusals = refusals
        self.refusalSink = sink
        self.logger = logger
    }

    /// Binds the listening socket. Nothing is accepted until ``run(_:)``.
    public static func bind(
        host: String, port: Int, configuration: CoordinatorTransportConfiguration,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        metrics: TransportMetrics = TransportMetrics(), logger: Logger
    ) async throws -> CoordinatorServer {
        let configuration = try configuration.validated()
        let context = try NIOSSLContext(configuration: configuration.tls)
        let (refusals, sink) = AsyncStream.makeStream(of: TransportError.self, bufferingPolicy: .bufferingNewest(256))
        let denyList = DenyListState(path: configuration.denyListPath, optional: configuration.denyListOptional, metrics: metrics, logger: logger)
        try denyList.load()
        let pipeline = CoordinatorPipeline(
            configuration: configuration, context: context, denyList: denyList,
            receives: try TransferPermits(permits: configuration.concurrentReceives), metrics: metrics, refusals: sink, logger: logger)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: configuration.readBytes))
            // One read per wake-up: a connection waiting for a receive permit holds at most one read.
            .childChannelOption(.maxMessagesPerRead, value: 1)
            .childChannelOption(.writeBufferWaterMark,
                                value: .init(low: configuration.writeBufferHighWaterMark / 2, high: configuration.writeBufferHighWaterMark))
            .bind(host: host, port: port) { child in
                child.eventLoop.makeCompletedFuture { try pipeline.configure(child) }
            }
        return try CoordinatorServer(channel: channel, refusals: refusals, sink: sink, logger: logger,
                                     sessions: pipeline.sessions, denyList: pipeline.denyList, revocationCheck: configuration.revocationCheck)
    }

    /// Accepts clients until cancelled or ``close()``; runs `handle` in its own task for each
    /// client whose session opened. A session that ends badly before opening is only reported
    /// (``refusals``, the log, the `tributary_transport_refused_total` counter).
    public func run(_ handle: @escaping @Sendable (CoordinatorClient) async throws -> Void) async throws {
        let watcher = Task { await watchRevocations() }
        defer { watcher.cancel() }
        try await channel.executeThenClose { inbound in
            try await withThrowingDiscardingTaskGroup { group in
                for try await accepted in inbound {
                    group.addTask {
                        await self.serve(accepted.child, consumer: accepted.gate, handle)
                    }
                }
            }
        }
        refusalSink.finish()
    }

    private func serve(_ child: Child, consumer: InboundGate.Consumer?, _ handle: @Sendable (CoordinatorClient) async throws -> Void) async {
        do {
            try await child.executeThenClose { inbound, outbound in
                var iterator = inbound.makeAsyncIterator()
                guard case .hello(let hello)? = try await iterator.next() else { return }
                var consumed: (@Sendable () -> Void)?
                if let consumer { consumed = { consumer.consumed() } }
                let connection = SessionConnection(iterator: iterator, outbound: outbound, channel: child.channel, consumed: consumed)
                let client = CoordinatorClient(clientID: hello.clientID, hello: hello, connection: connection)
                try await handle(client)
            }
        } catch {
            logger.debug("client task ended", metadata: ["reason": "\(error)"])
        }
    }

    /// Every `revocationCheck`, re-reads the deny list (when its file changed) and ends the open
    /// sessions it now revokes, so `tributary certs revoke` cuts a connected client off within
    /// that interval instead of at its next connection.
    private func watchRevocations() async {
        guard denyList.isConfigured else { return }
        while (try? await Task.sleep(for: revocationCheck)) != nil {
            for id in sessions.revoke(denyList.current()) {
                logger.notice("open session of a revoked client ended", metadata: ["client.id": "\(id)"])
            }
        }
    }

    /// Sessions open now (admitted, not yet closed).
    public var openSessions: Int { sessions.count }

    /// Stops accepting; open sessions go on until their handlers return.
    public func close() async {
        try? await channel.channel.close()
    }
}
