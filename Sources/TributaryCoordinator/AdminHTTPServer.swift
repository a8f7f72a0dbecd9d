import NIOCore
import NIOHTTP1
import NIOPosix
import TributaryTransport

/// The admin endpoint on HTTP/1.1 (loopback unless a token is configured): a thin NIO shell
/// around ``AdminAPI``. Requests carry no body (at most 64 KiB is read and ignored); every answer
/// is JSON, and the connection closes.
final class AdminHTTPServer: Sendable {
    private let channel: any Channel

    var port: Int { channel.localAddress?.port ?? 0 }
    /// The address and port really bound (port 0 resolved).
    var boundEndpoint: Endpoint? {
        channel.localAddress.flatMap { address in address.ipAddress.map { Endpoint(host: $0, port: address.port ?? 0) } }
    }

    private init(channel: any Channel) {
        self.channel = channel
    }

    static func start(api: AdminAPI, host: String, port: Int, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> AdminHTTPServer {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 16)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(AdminHTTPHandler(api: api))
                }
            }
            .bind(host: host, port: port).get()
        return AdminHTTPServer(channel: channel)
    }

    func close() async {
        try? await channel.close()
    }
}

final class AdminHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let api: AdminAPI
    private var head: HTTPRequestHead?

    init(api: AdminAPI) {
        self.api = api
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
        case .body:
            break
        case .end:
            guard let head else { return }
            self.head = nil
            let api = api
            let path = head.uri.split(separator: "?").first.map(String.init) ?? head.uri
            let method = head.method.rawValue
            let authorization = head.headers.first(name: "authorization")
            let bound = NIOLoopBound((context, self), eventLoop: context.eventLoop)
            let promise = context.eventLoop.makePromise(of: AdminAPI.Response.self)
            promise.completeWithTask { await api.handle(method: method, path: path, authorization: authorization) }
            promise.futureResult.whenSuccess { response in
                let (context, handler) = bound.value
                handler.write(response, context: context)
            }
        }
    }

    private func write(_ response: AdminAPI.Response, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "content-length", value: String(response.body.utf8.count))
        headers.add(name: "connection", value: "close")
        if response.status == 401 { headers.add(name: "www-authenticate", value: "Bearer") }
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: response.body)))), promise: nil)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
    }
}
