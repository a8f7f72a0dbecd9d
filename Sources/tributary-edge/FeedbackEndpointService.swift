import Logging
import ServiceLifecycle
import TributaryFeedback
import TributaryFeedbackHTTP
import TributaryTransport

/// The local feedback endpoint as a service: listens until shutdown.
struct FeedbackEndpointService: Service {
    let store: FeedbackStore
    let listen: Endpoint
    let logger: Logger

    func run() async throws {
        let server = try await FeedbackHTTPServer.start(api: FeedbackAPI(store: store), host: listen.host, port: listen.port)
        say("feedback endpoint listening on \(listen.host):\(server.port)")
        logger.info("feedback endpoint listening", metadata: ["ingestion.address": "\(listen.host):\(server.port)"])
        try? await gracefulShutdown()
        try await server.close()
    }
}
