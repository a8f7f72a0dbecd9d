import NIOCore
import NIOHTTP1
import NIOPosix

/// The listening side of the small JSON-over-HTTP/1.1 endpoints (the coordinator's admin API, the
/// edge's feedback API): one bootstrap for both.
public enum HTTPServerChannel {
    /// Binds `host:port` (port 0 picks a free one). Each accepted connection gets NIO's HTTP/1.1
    /// server pipeline with error handling, then the handler `makeHandler` returns for it.
    public static func bind(
        host: String,
        port: Int,
        backlog: Int32,
        group: any EventLoopGroup,
        makeHandler: @escaping @Sendable () -> any ChannelHandler
    ) async throws -> any Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: backlog)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(makeHandler())
                }
            }
            .bind(host: host, port: port).get()
    }
}
