import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import TributaryCertificates
import TributarySession
import TributaryTransport
import TributaryWire

/// What the coordinator's server shares between connections, and how it sets up each accepted
/// one: TLS with the fleet's certificate check, the inbound gate, the frame decoder, the session
/// handler, then the async channel the application reads.
struct CoordinatorPipeline: Sendable {
    let configuration: CoordinatorTransportConfiguration
    let context: NIOSSLContext
    let denyList: DenyListState
    let receives: TransferPermits
    let metrics: TransportMetrics
    let refusals: AsyncStream<TransportError>.Continuation
    let logger: Logger
    let sessions = OpenSessions()
    let wireMetrics = WireMetrics()
    private let sessionNumbers = NIOLockedValueBox<UInt64>(0)
    private let limits: NIOLockedValueBox<ConnectionLimits>

    init(configuration: CoordinatorTransportConfiguration, context: NIOSSLContext, denyList: DenyListState,
         receives: TransferPermits, metrics: TransportMetrics, refusals: AsyncStream<TransportError>.Continuation, logger: Logger) {
        self.configuration = configuration
        self.context = context
        self.denyList = denyList
        self.receives = receives
        self.metrics = metrics
        self.refusals = refusals
        self.logger = logger
        self.limits = NIOLockedValueBox(ConnectionLimits(maxTotal: configuration.connectionLimit,
                                                         maxPerAddress: configuration.maxConnectionsPerAddress))
    }

    /// Counts an accepted connection against the limits, or closes it at once (with the
    /// metric, and a log line at most every 10 s) and throws so it is never served.
    private func admit(_ child: any Channel) throws {
        let address = child.remoteAddress?.ipAddress ?? "unknown"
        let decision = limits.withLockedValue { $0.opened(from: address, now: .now) }
        guard case .refuse(let limit, let logged) = decision else {
            let limits = self.limits
            child.closeFuture.whenComplete { _ in limits.withLockedValue { $0.closed(from: address) } }
            return
        }
        metrics.recordLimited(limit)
        child.close(promise: nil)
        let (maxTotal, maxPerAddress) = limits.withLockedValue { ($0.maxTotal, $0.maxPerAddress) }
        let reason = limit == .total
            ? "\(maxTotal) connections are open, the most allowed (tls.max_connections)"
            : "\(maxPerAddress) connections from \(address) are open, the most allowed from one address (tls.max_connections_per_address)"
        if let logged {
            logger.warning("connections closed at accept: a connection limit was reached", metadata: [
                "peer.address": "\(address)", "limit": "\(limit.rawValue)", "reason": "\(reason)", "refused.since_last_line": "\(logged)",
            ])
        }
        throw TransportError(.connectionLimit, "connection from \(address) closed: \(reason)")
    }

    /// Adds the handlers to an accepted connection (on its event loop).
    func configure(_ child: any Channel) throws -> CoordinatorServer.Accepted {
        try admit(child)
        let sessionNumber = sessionNumbers.withLockedValue { $0 += 1; return $0 }
        var connectionLogger = logger
        connectionLogger[metadataKey: "peer.address"] = "\(child.remoteAddress.map { "\($0)" } ?? "?")"
        connectionLogger[metadataKey: "session.id"] = "\(sessionNumber)"
        let verifier = FleetPeerVerifier(trustRoot: configuration.trustRoot, denyList: denyList.current())
        let admission = ClientAdmission()
        let tls = NIOSSLServerHandler(context: context) { certificates, promise in
            admission.verify(certificates, verifier: verifier, promise: promise)
        }
        let session = CoordinatorSession(sessionID: "s\(sessionNumber)", globalModelVersion: configuration.globalModelVersion,
                                         configuration: configuration.session)
        let (sessions, metrics, refusals, finalLogger) = (self.sessions, self.metrics, self.refusals, connectionLogger)
        let liveModelVersion = configuration.liveModelVersion
        let handler = SessionChannelHandler(
            machine: session, wire: configuration.wire, logger: connectionLogger, writeSize: configuration.writeBytes,
            start: { session, now in
                let decided = admission.admission ?? .refuse(Reject(code: .certificateRefused, reason: "no certificate decision was recorded"))
                if case .admit(let id) = decided {
                    if let identity = admission.identity {
                        sessions.add(sessionNumber, .init(clientID: identity.clientID, serial: identity.serial, channel: child))
                    }
                    metrics.recordSession()
                    finalLogger.info("TLS handshake completed", metadata: [
                        "client.id": "\(id)", "tls.version": "\(tls.tlsVersion.map { "\($0)" } ?? "unknown")",
                    ])
                }
                if let liveModelVersion { session.globalModelVersion = liveModelVersion.current }
                return session.connected(admission: decided, now: now)
            },
            explain: { error in admission.handshakeRefusal ?? TLSFailure.explainOnServer(error) },
            onEnd: { error in
                guard let error else { return }
                metrics.recordRefusal(error.code)
                finalLogger.info("connection refused or ended badly", metadata: ["refusal.code": "\(error.code)", "reason": "\(error.reason)"])
                refusals.yield(error)
            })
        child.closeFuture.whenComplete { _ in sessions.remove(sessionNumber) }
        let gate = InboundGate(limit: receives)
        try child.pipeline.syncOperations.addHandlers([
            tls,
            TLSHandshakeDeadline(timeout: configuration.handshakeTimeout),
            gate,
            ByteToMessageHandler(try FrameDecoder(configuration: configuration.wire, metrics: wireMetrics, admission: gate)),
            handler,
        ])
        let asyncChild = try CoordinatorServer.Child(
            wrappingChannelSynchronously: child,
            configuration: .init(backPressureStrategy: .init(lowWatermark: 1, highWatermark: configuration.inboundMessageBuffer)))
        return CoordinatorServer.Accepted(child: asyncChild, gate: gate.consumer)
    }
}
