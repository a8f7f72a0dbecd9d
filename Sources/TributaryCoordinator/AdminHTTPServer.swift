import TributaryHTTP
import TributaryTransport

/// The admin endpoint on HTTP/1.1 (loopback unless a token is configured): the shared
/// ``EndpointServer`` around ``AdminAPI``, plus `GET /metrics` behind the same token.
final class AdminHTTPServer: Sendable {
    private let server: EndpointServer

    var port: Int { server.port }
    /// The address and port really bound (port 0 resolved).
    var boundEndpoint: Endpoint? { server.host.map { Endpoint(host: $0, port: server.port) } }

    private init(server: EndpointServer) {
        self.server = server
    }

    static func start(api: AdminAPI, host: String, port: Int) async throws -> AdminHTTPServer {
        var authorize: (@Sendable (String?) -> Bool)?
        if let token = api.token {
            authorize = { authorization in token.accepts(authorization: authorization) }
        }
        let handle: EndpointServer.Handler = { request in
            await api.handle(method: request.method, path: request.path, authorization: request.authorization)
        }
        let server = try await EndpointServer.start(host: host, port: port, setting: "admin.listen", authorize: authorize,
                                                    maximumBodyBytes: 64 << 10, handle: handle)
        return AdminHTTPServer(server: server)
    }

    func close() async {
        await server.close()
    }
}
