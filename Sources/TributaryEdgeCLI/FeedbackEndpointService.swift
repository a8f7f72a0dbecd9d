import Logging
import ServiceLifecycle
import TributaryFeedback
import TributaryFeedbackHTTP
import TributaryTransport

/// The local endpoint (feedback, predictions, review, status) as a service: listens until shutdown.
package struct FeedbackEndpointService: Service {
    let store: FeedbackStore
    let predictor: (any PredictionServing)?
    let listen: Endpoint
    let logger: Logger

    package init(store: FeedbackStore, predictor: (any PredictionServing)?, listen: Endpoint, logger: Logger) {
        self.store = store
        self.predictor = predictor
        self.listen = listen
        self.logger = logger
    }

    package func run() async throws {
        let server = try await FeedbackHTTPServer.start(api: FeedbackAPI(store: store, predictor: predictor), host: listen.host, port: listen.port)
        say("feedback endpoint listening on \(listen.host):\(server.port)")
        logger.info("feedback endpoint listening", metadata: ["ingestion.address": "\(listen.host):\(server.port)"])
        try? await gracefulShutdown()
        try await server.close()
    }
}
