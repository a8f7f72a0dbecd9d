import NIOCore
import NIOHTTP1
import NIOPosix
import TributaryHTTP
import TributaryFeedback

/// The feedback endpoint on loopback HTTP/1.1: a thin NIO shell around `FeedbackAPI`.
///
/// It binds only to the address given (127.0.0.1 by default: the device's own app posts to it;
/// nothing off the device can reach it), caps request bodies, and answers every request with JSON.
public final class FeedbackHTTPServer: Sendable {
    public let api: FeedbackAPI
    private let channel: any Channel

    /// The port it listens on (useful with port 0).
    public var port: Int { channel.localAddress?.port ?? 0 }

    private init(api: FeedbackAPI, channel: any Channel) {
        self.api = api
        self.channel = channel
    }

    /// - Parameter threadPool: where requests are answered (SQLite writes, the model's forward
    ///   pass), off the event loop.
    public static func start(
        api: FeedbackAPI, host: String = "127.0.0.1", port: Int = 0,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, threadPool: NIOThreadPool = .singleton
    ) async throws -> FeedbackHTTPServer {
        let channel = try await HTTPServerChannel.bind(host: host, port: port, backlog: 64, group: group) {
            FeedbackHTTPHandler(api: api, threadPool: threadPool)
        }
        return FeedbackHTTPServer(api: api, channel: channel)
    }

    public func close() async throws {
        try await channel.close()
    }
}

/// Collects one request (bounded), hands it to the API on the thread pool (the store's writes
/// and the model's forward pass block), writes the response back on the event loop. A
/// connection's requests are answered one after the other, in order.
final class FeedbackHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let api: FeedbackAPI
    private let threadPool: NIOThreadPool
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false
    /// The connection's last request being answered (nil: none).
    private var answering: EventLoopFuture<Void>?

    init(api: FeedbackAPI, threadPool: NIOThreadPool) {
        self.api = api
        self.threadPool = threadPool
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body = []
            tooLarge = false
        case .body(var buffer):
            if body.count + buffer.readableBytes > FeedbackAPI.maximumBodyBytes {
                tooLarge = true
            } else if let bytes = buffer.readBytes(length: buffer.readableBytes) {
                body += bytes
            }
        case .end:
            guard let head else { return }
            let loop = context.eventLoop, api = self.api, pool = threadPool, body = self.body, tooLarge = self.tooLarge
            let path = head.uri.split(separator: "?").first.map(String.init) ?? head.uri, contentType = head.headers.first(name: "content-type")
            let bound = NIOLoopBound((handler: self, context: context), eventLoop: loop)
            let previous = answering ?? loop.makeSucceededVoidFuture()
            let answered = previous.flatMap { () -> EventLoopFuture<FeedbackAPI.Response> in
                if tooLarge {
                    return loop.makeSucceededFuture(.init(status: 413, body: "{\"error\":\"request body exceeds \(FeedbackAPI.maximumBodyBytes) bytes\"}"))
                }
                return pool.runIfActive(eventLoop: loop) { api.handle(method: head.method.rawValue, path: path, contentType: contentType, body: body) }
            }.flatMapErrorThrowing { error in
                FeedbackAPI.Response(status: 503, body: "{\"error\":\"the endpoint is shutting down (\(error))\"}")
            }.map { response in
                bound.value.handler.write(response, keepAlive: head.isKeepAlive && !tooLarge, context: bound.value.context)
            }
            answering = answered
            self.head = nil
            self.body = []
        }
    }

}
