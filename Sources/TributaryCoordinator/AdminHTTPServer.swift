import NIOCore
import NIOHTTP1
import NIOPosix
import TributaryHTTP
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
        let channel = try await HTTPServerChannel.bind(host: host, port: port, backlog: 16, group: group) {
            AdminHTTPHandler(api: api)
        }
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
        let challenge = response.status == 401 ? [(name: "www-authenticate", value: "Bearer")] : []
        write(response, headers: challenge, keepAlive: false, context: context)
    }
}
