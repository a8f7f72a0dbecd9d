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

    public static func start(
        api: FeedbackAPI, host: String = "127.0.0.1", port: Int = 0,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> FeedbackHTTPServer {
        let channel = try await HTTPServerChannel.bind(host: host, port: port, backlog: 64, group: group) {
            FeedbackHTTPHandler(api: api)
        }
        return FeedbackHTTPServer(api: api, channel: channel)
    }

    public func close() async throws {
        try await channel.close()
    }
}

/// Collects one request (bounded), hands it to the API, writes the response.
final class FeedbackHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let api: FeedbackAPI
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false

    init(api: FeedbackAPI) {
        self.api = api
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
            let response = tooLarge
                ? FeedbackAPI.Response(status: 413, body: "{\"error\":\"request body exceeds \(FeedbackAPI.maximumBodyBytes) bytes\"}")
                : api.handle(method: head.method.rawValue, path: head.uri.split(separator: "?").first.map(String.init) ?? head.uri,
                             contentType: head.headers.first(name: "content-type"), body: body)
            write(response, keepAlive: head.isKeepAlive && !tooLarge, context: context)
            self.head = nil
            body = []
        }
    }

}
