import Foundation
import Logging
import ServiceLifecycle
import TributaryCertificates
import TributaryCoordinatorTransport
import TributaryRegistry
import TributaryTransport
import TributaryWire

/// The coordinator as a `Service`: federated rounds end to end over mutual TLS 1.3.
///
/// ```swift
/// let coordinator = Coordinator(configuration: configuration, logger: logger)
/// Task { for await event in coordinator.events { print(event.line) } }
/// try await coordinator.run()          // or under a ServiceGroup, which handles SIGTERM/SIGINT
/// ```
/// `run()` opens the registry (promoting `model.initial_checkpoint` as version 1 when nothing is
/// live), resolves unfinished rounds from the journal, binds the listener (and the admin
/// endpoint), and runs rounds until graceful shutdown, cancellation, or `rounds.max_rounds`.
/// Shutting down says Goodbye{SHUTDOWN} to every client, abandons a collecting round in the
/// journal, and never interrupts a commit (`run()` returns after the registry work queued before the stop).
public final class Coordinator: Service, Sendable {
    public let configuration: CoordinatorConfiguration
    /// Everything the coordinator does, in order. Finishes when `run()` returns. Buffers the newest
    /// 10,000 events when nobody reads.
    public let events: AsyncStream<CoordinatorEvent>
    private let sink: AsyncStream<CoordinatorEvent>.Continuation
    private let logger: Logger
    private let state: EngineBox
    private let hooks: CoordinatorHooks

    public convenience init(configuration: CoordinatorConfiguration, logger: Logger) {
        self.init(configuration: configuration, logger: logger, hooks: CoordinatorHooks())
    }

    /// With crash-test hooks (see ``CoordinatorHooks``): only for tests and the crash-test executable.
    @_spi(CrashTesting) public init(configuration: CoordinatorConfiguration, logger: Logger, hooks: CoordinatorHooks) {
        self.configuration = configuration
        self.logger = logger
        self.hooks = hooks
        (events, sink) = AsyncStream.makeStream(of: CoordinatorEvent.self, bufferingPolicy: .bufferingNewest(10_000))
        state = EngineBox()
    }

    /// Starts a round now (what `POST /v1/rounds` does). Returns its id.
    /// - Throws: ``CoordinatorError`` `roundRefused` (a round runs, too few eligible clients) or `notRunning`.
    public func requestRound() async throws -> UInt64 {
        guard let engine = await state.engine else { throw CoordinatorError(.notRunning, "the coordinator is not running") }
        return try await engine.requestRound()
    }

    /// The operator announces a new task (what `POST /v1/tasks` does): the next round consolidates
    /// the global EWC state first (`aggregation.consolidate`).
    public func announceTask() async throws {
        guard let engine = await state.engine else { throw CoordinatorError(.notRunning, "the coordinator is not running") }
        await engine.announceTask()
    }

    /// The operator's decision on the rollout in flight (`tributary rollout promote|abort`):
    /// promote its version to every client, or roll it back. Returns the decision once stored
    /// with the version; throws `noRollout` when none is in flight.
    @discardableResult
    public func settleRollout(promote: Bool) async throws -> VersionDecision {
        guard let engine = await state.engine else { throw CoordinatorError(.notRunning, "the coordinator is not running") }
        return try await engine.settleRollout(promote: promote)
    }

    /// Live version, population and the current round.
    public func status() async throws -> CoordinatorStatus {
        guard let engine = await state.engine else { throw CoordinatorError(.notRunning, "the coordinator is not running") }
        return await engine.status()
    }

    /// The port edge agents connect to, once listening.
    public var port: Int? { get async { await state.port } }

    /// The admin endpoint's port, once listening (nil when disabled).
    public var adminPort: Int? { get async { await state.adminPort } }

    /// Stops rounds and closes every session with Goodbye{SHUTDOWN}; `run()` then returns.
    public func shutdown() async {
        await state.engine?.stop(reason: "shutdown requested", goodbye: .shutdown)
    }

    public func run() async throws {
        let sink = self.sink
        defer { sink.finish() }
        // The configuration is a struct of vars: check again what may have changed since init.
        try configuration.validate()
        let engine: CoordinatorEngine
        // Welcome announces the live version at each handshake: set here, advanced on each release.
        let live = LiveModelVersion(0)
        do {
            engine = try CoordinatorEngine(configuration: configuration, logger: logger, hooks: hooks, emit: { event in
                if case .released(let version, _, _) = event { live.set(version) }
                sink.yield(event)
            })
        } catch let error as CoordinatorError {
            throw error
        } catch {
            throw CoordinatorError(.startup, "\(error)")
        }
        live.set(await engine.status().liveVersion)
        let server = try await bind(engine: engine, live: live)
        let admin = try await startAdmin()
        let listening = configuration.listen
        await state.started(engine: engine, port: server.localAddress.port ?? listening.port, adminPort: admin?.port)
        await engine.start()
        let adminBound = admin.map { $0.boundEndpoint ?? Endpoint(host: configuration.admin?.host ?? "?", port: $0.port) }
        sink.yield(.listening(host: server.localAddress.ipAddress ?? listening.host, port: server.localAddress.port ?? listening.port,
                              admin: adminBound, liveVersion: await engine.status().liveVersion))

        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    let limiter = try TransferPermits(permits: self.configuration.transfers.concurrentSends)
                    let timeout = self.configuration.transfers.sendTimeout
                    try await server.run { client in await Self.serve(client, engine: engine, limiter: limiter, sendTimeout: timeout) }
                }
                group.addTask {
                    var reason = "cancelled"
                    for await stop in engine.stopRequested {
                        reason = stop
                        break
                    }
                    sink.yield(.stopped(reason: reason))
                    await server.close()
                    // Sessions end after their Goodbye; give the slow ones a bounded grace.
                    try await Task.sleep(for: .seconds(5))
                }
                _ = try await group.next()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            Task { await engine.stop(reason: "graceful shutdown", goodbye: .shutdown) }
        }
        await admin?.close()
        await state.stopped()
    }

    private func bind(engine: CoordinatorEngine, live: LiveModelVersion) async throws -> CoordinatorServer {
        let tls = configuration.tls
        do {
            let credentials = try await FleetCredentials.load(certificate: tls.certificate, key: tls.key, trustRoot: tls.ca, role: .server, now: Date())
            var transport = try CoordinatorTransportConfiguration.mutualTLS(credentials: credentials, denyListPath: tls.denyList)
            transport.liveModelVersion = live
            transport.session.heartbeatInterval = tls.heartbeat
            transport.session.idleTimeout = tls.idleTimeout
            transport.revocationCheck = tls.revocationCheck
            transport.denyListOptional = tls.denyListOptional
            transport.handshakeTimeout = tls.handshakeTimeout
            transport.session.handshakeTimeout = tls.handshakeTimeout
            transport.maxConnections = tls.maxConnections
            transport.maxConnectionsPerAddress = tls.maxConnectionsPerAddress
            transport.concurrentReceives = configuration.transfers.concurrentReceives
            transport.readBytes = configuration.transfers.readBytes
            transport.writeBytes = configuration.transfers.writeBytes
            return try await CoordinatorServer.bind(host: configuration.listen.host, port: configuration.listen.port, configuration: transport, logger: logger)
        } catch let error as TransportError where error.code == .invalidDenyList {
            throw CoordinatorError(.startup, "tls.deny_list: \(error.reason)")
        } catch {
            throw CoordinatorError(.startup, "listen \(configuration.listen) with tls.certificate \(tls.certificate): \(error)")
        }
    }

    private func startAdmin() async throws -> AdminHTTPServer? {
        guard let endpoint = configuration.admin else { return nil }
        let token = try configuration.adminTokenFile.map { try AdminToken.read(path: $0) }
        let versions: @Sendable () async throws -> VersionListing = { [state] in
            guard let engine = await state.engine else { throw CoordinatorError(.notRunning, "the coordinator is not running") }
            return VersionListing(try await engine.versions())
        }
        let api = AdminAPI(startRound: { [self] in try await requestRound() }, status: { [self] in (try? await status()) ?? .unavailable },
                           announceTask: { [self] in try await announceTask() }, versions: versions,
                           settleRollout: { [self] promote in try await settleRollout(promote: promote) }, token: token)
        do {
            return try await AdminHTTPServer.start(api: api, host: endpoint.host, port: endpoint.port)
        } catch {
            throw CoordinatorError(.startup, "admin.listen \(endpoint): \(error)")
        }
    }

    /// One client's task: a writer child drains its outbox while this task reads its messages.
    private static func serve(_ client: CoordinatorClient, engine: CoordinatorEngine, limiter: TransferPermits, sendTimeout: Duration) async {
        let (outbox, continuation) = AsyncStream.makeStream(of: WireMessage.self)
        guard let token = await engine.connected(client.hello, outbox: continuation) else {
            try? await client.connection.send(.goodbye(Goodbye(reason: .shutdown, detail: "the coordinator is stopping")))
            return
        }
        let sender = client.connection.sender
        let closer = client.connection.closer
        let id = client.clientID
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await message in outbox {
                    do {
                        try await write(message, sender: sender, closer: closer, limiter: limiter, timeout: sendTimeout)
                    } catch {
                        break
                    }
                }
            }
            while let message = try? await client.connection.next() {
                switch message {
                case .ready(let ready):
                    await engine.ready(ready, from: id, token: token)
                case .update(let update):
                    await engine.received(IncomingUpdate(update, from: id), token: token)
                case .evaluateResult(let result):
                    await engine.evaluated(result, from: id, token: token)
                case .secureAggregation(let secure):
                    await engine.secureMessage(secure, from: id, token: token)
                default:
                    break
                }
            }
            await engine.disconnected(id, token: token)
            continuation.finish()
        }
    }
}

extension Coordinator {
    /// Writes one message and waits for the socket. A model-sized message (offer, release) first
    /// takes a transfer permit and must finish within `timeout`, else the connection is closed.
    static func write(_ message: WireMessage, sender: SessionSender, closer: SessionCloser, limiter: TransferPermits, timeout: Duration) async throws {
        switch message {
        case .roundOffer, .modelRelease, .evaluateRequest: break
        default: return try await sender.send(message)
        }
        await limiter.acquire()
        do {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    try await sender.send(message)
                    return true
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return false
                }
                let finished = try await group.next() ?? false
                group.cancelAll()
                if !finished {
                    closer.close()
                    throw CoordinatorError(.sendTimeout, "\(message.name) not sent within \(timeout); connection closed")
                }
            }
        } catch {
            limiter.release()
            throw error
        }
        limiter.release()
    }
}

/// The running engine and bound ports, set by `run()`.
private actor EngineBox {
    var engine: CoordinatorEngine?
    var port: Int?
    var adminPort: Int?

    func started(engine: CoordinatorEngine, port: Int, adminPort: Int?) {
        self.engine = engine
        self.port = port
        self.adminPort = adminPort
    }

    func stopped() {
        engine = nil
    }
}

extension CoordinatorStatus {
    static let unavailable = CoordinatorStatus(liveVersion: 0, population: 0, eligible: 0, currentRound: nil, roundsEnded: 0)
}
