import NIOPosix
import TributaryFeedback
import TributaryHTTP

/// The feedback endpoint on loopback HTTP/1.1: the shared ``EndpointServer`` around
/// `FeedbackAPI`, plus `GET /metrics`.
///
/// It binds only to the address given (127.0.0.1 by default: the device's own app posts to it;
/// nothing off the device can reach it; another address is refused at start), caps request
/// bodies at ``FeedbackAPI/maximumBodyBytes``, and answers every request with JSON.
public final class FeedbackHTTPServer: Sendable {
    public let api: FeedbackAPI
    private let server: EndpointServer

    /// The port it listens on (useful with port 0).
    public var port: Int { server.port }

    private init(api: FeedbackAPI, server: EndpointServer) {
        self.api = api
        self.server = server
    }

    /// - Parameter threadPool: where requests are answered (SQLite writes, the model's forward
    ///   pass block), off the server's event loops and the cooperative pool.
    public static func start(
        api: FeedbackAPI, host: String = "127.0.0.1", port: Int = 0, threadPool: NIOThreadPool = .singleton
    ) async throws -> FeedbackHTTPServer {
        let server = try await EndpointServer.start(host: host, port: port, setting: "ingestion.listen",
                                                    maximumBodyBytes: FeedbackAPI.maximumBodyBytes) { request in
            do {
                return try await threadPool.runIfActive {
                    api.handle(method: request.method, path: request.path, contentType: request.contentType, body: request.body)
                }
            } catch {
                return .error(503, "the endpoint is shutting down (\(error))")
            }
        }
        return FeedbackHTTPServer(api: api, server: server)
    }

    public func close() async throws {
        await server.close()
    }
}
