import NIOCore
import NIOHTTP1

extension ChannelInboundHandler where OutboundOut == HTTPServerResponsePart {
    /// Writes `response` (head, body, end) with its length, and closes the connection once it is
    /// flushed unless `keepAlive`. `headers` are added after the content headers.
    public func write(
        _ response: JSONResponse, headers extra: [(name: String, value: String)] = [],
        keepAlive: Bool, context: ChannelHandlerContext
    ) {
        let body = response.body
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "content-length", value: String(body.utf8.count))
        if !keepAlive { headers.add(name: "connection", value: "close") }
        for header in extra { headers.add(name: header.name, value: header.value) }
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
        let flushed = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            flushed.whenComplete { _ in bound.value.close(promise: nil) }
        }
    }
}
