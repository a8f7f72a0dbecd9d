import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The HTTP/1.1 shell of the small endpoints (the coordinator's admin API, the edge's feedback
/// API), on Hummingbird: each request is read (body capped), handed to the pure API as
/// ``HTTPRequestParts`` and its ``JSONResponse`` written back. `GET /metrics` answers the
/// process's Prometheus text (``MetricsExposition``) after the same credential check.
///
/// It refuses at start to listen anywhere but loopback unless the endpoint checks a bearer token
/// (``BindPolicy``).
public final class EndpointServer: Sendable {
    /// What answers a request that is not `GET /metrics`.
    public typealias Handler = @Sendable (HTTPRequestParts) async -> JSONResponse

    private let task: Task<Void, any Error>
    private let localAddress: SocketAddress?

    /// The port it listens on (port 0 resolved).
    public var port: Int { localAddress?.port ?? 0 }
    /// The address really bound.
    public var host: String? { localAddress?.ipAddress }

    private init(task: Task<Void, any Error>, localAddress: SocketAddress?) {
        self.task = task
        self.localAddress = localAddress
    }

    /// Binds `host:port` and serves until ``close()``.
    /// - Parameters:
    ///   - setting: the configuration key or flag that gave the address, for errors.
    ///   - authorize: nil when the endpoint has no credential (then only loopback is allowed); else
    ///     the check of a request's `Authorization` header, applied to `GET /metrics` (the API
    ///     checks its own routes).
    ///   - maximumBodyBytes: a longer body is answered 413 without reaching `handle`.
    public static func start(
        host: String, port: Int, setting: String, authorize: (@Sendable (String?) -> Bool)? = nil,
        maximumBodyBytes: Int = 1 << 20, logger: Logger = Logger(label: "tributary.http"), handle: @escaping Handler
    ) async throws -> EndpointServer {
        try BindPolicy.check(host: host, port: port, authenticated: authorize != nil, setting: setting)
        let responder = EndpointResponder(handle: handle, authorize: authorize, maximumBodyBytes: maximumBodyBytes)
        let started = StartSignal()
        // Hummingbird logs the cancellation that ``close()`` is as an error; failures that matter
        // reach the caller (a bind failure is thrown here, a request's error is its answer).
        var quiet = logger
        quiet.logLevel = .critical
        let application = Application(
            responder: responder,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), backlog: 64),
            onServerRunning: { channel in started.finish(.success(channel.localAddress)) },
            logger: quiet
        )
        let task = Task.detached {
            do {
                try await application.run()
                started.finish(.failure(HTTPEndpointError("\(setting) \(host):\(port): the server stopped before it listened")))
            } catch {
                started.finish(.failure(HTTPEndpointError("\(setting) \(host):\(port): cannot listen (\(error))")))
                throw error
            }
        }
        do {
            let address = try await started.wait()
            return EndpointServer(task: task, localAddress: address)
        } catch {
            task.cancel()
            throw error
        }
    }

    /// Stops listening and closes open connections.
    public func close() async {
        task.cancel()
        _ = await task.result
    }
}

/// Hands the bound address (or the bind failure) from the server's task to `start`, once.
private final class StartSignal: Sendable {
    private let state = NIOLockedValueBox<(result: Result<SocketAddress?, any Error>?, waiter: CheckedContinuation<SocketAddress?, any Error>?)>((nil, nil))

    func finish(_ result: Result<SocketAddress?, any Error>) {
        let waiter: CheckedContinuation<SocketAddress?, any Error>? = state.withLockedValue { state in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(with: result)
    }

    func wait() async throws -> SocketAddress? {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<SocketAddress?, any Error>? = state.withLockedValue { state in
                if let result = state.result { return result }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}

struct EndpointResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let handle: EndpointServer.Handler
    let authorize: (@Sendable (String?) -> Bool)?
    let maximumBodyBytes: Int

    func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
        let answer = await answer(request)
        var headers: HTTPFields = [.contentType: answer.contentType]
        if answer.status == 401 { headers[.wwwAuthenticate] = "Bearer" }
        return Response(status: .init(code: answer.status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: answer.body)))
    }

    private func answer(_ request: Request) async -> JSONResponse {
        let method = request.method.rawValue, path = request.uri.path
        let authorization = request.headers[.authorization]
        if path == "/metrics" {
            guard method == "GET" else { return .error(405, "method \(method) is not allowed on /metrics; use GET") }
            if let authorize, !authorize(authorization) {
                return .error(401, "GET /metrics sent \(authorization == nil ? "no Authorization header" : "an Authorization header that is not the configured bearer token"); send Authorization: Bearer <token>")
            }
            return MetricsExposition.response()
        }
        var body: [UInt8] = []
        do {
            var buffer = try await request.body.collect(upTo: maximumBodyBytes)
            body = buffer.readBytes(length: buffer.readableBytes) ?? []
        } catch {
            return .error(413, "request body exceeds \(maximumBodyBytes) bytes")
        }
        return await handle(HTTPRequestParts(method: method, path: path, authorization: authorization,
                                             contentType: request.headers[.contentType], body: body))
    }
}
