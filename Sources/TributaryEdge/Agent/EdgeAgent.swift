import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import TributaryCertificates
import TributaryEdgeTransport
import TributaryFeedback
import TributaryLearning
import TributaryTransport
import TributaryWire

/// The long-running edge agent: connects to the coordinator over mutual TLS, reports itself
/// Ready when a trigger fires, answers RoundOffers with Updates trained on its private data,
/// adopts ModelReleases, and reconnects with backoff when the coordinator is away. Its state
/// (``EdgeConfiguration/checkpointPath``, ``EdgeConfiguration/keptUpdatePath``) survives a crash.
///
/// ```swift
/// let agent = try EdgeAgent(configuration: config, clientID: "gw-17", transport: transport,
///                           data: InMemoryDataSource(partition), logger: logger)
/// Task { for await event in agent.events { print(event) } }
/// try await agent.run()     // until cancelled, stop(), SIGTERM in a ServiceGroup, or a fatal refusal
/// ```
/// `run()` throws ``EdgeError`` (`fatalRefusal`, `state`) when retrying cannot help: a revoked or
/// refused certificate, a checkpoint or store that cannot be written.
///
/// The agent is a shell around an ``EdgeInstance``, which decides everything: one loop in
/// `run()` feeds it events (messages read by the session task, the arrivals ticker, finished
/// training jobs, timers, `stop()`, `announce(trigger:)`) with the time, and performs the actions
/// it returns. Training runs in a detached task, never in the loop.
public final class EdgeAgent: Service, Sendable {
    public let configuration: EdgeConfiguration
    public let clientID: String
    /// Everything the agent does, in order (the newest 4,096 kept when nobody reads).
    public let events: AsyncStream<EdgeEvent>
    let sink: AsyncStream<EdgeEvent>.Continuation
    let onEvent: (@Sendable (EdgeEvent) -> Void)?
    let transport: EdgeTransportConfiguration
    let data: any EdgeDataSource
    let faults: EdgeFaults
    let stopAfterRounds: Int?
    let logger: Logger
    let files: EdgeStateDirectory
    /// The model served to the device's app, swapped whole when the edge adopts a release or saves a round.
    public let serving: ServingSlot
    /// Predicts with the served model and logs each answer in the feedback store (when the data is one).
    public let predictor: Predictor
    /// What the loop of `run()` handles, in arrival order.
    let inputs: AsyncStream<Input>
    let input: AsyncStream<Input>.Continuation

    enum Input: Sendable {
        case event(EdgeInstance.Event)
        /// The session task opened a session (its writer and closer for the loop).
        case opened(Welcome, SessionLink, announced: UInt64, available: UInt64)
        /// ``announce(trigger:)``: answered true once a Ready was written.
        case announce(String, reply: CheckedContinuation<Bool, Never>)
    }

    /// The send side of the open session.
    struct SessionLink: Sendable {
        var outbound: NIOAsyncChannelOutboundWriter<WireMessage>
        var closer: SessionCloser
    }

    /// - Parameters:
    ///   - transport: mutual TLS settings (``EdgeAgent/transport(for:credentials:)`` makes them from the configuration).
    ///   - faults: fault injection for tests and simulations.
    ///   - stopAfterRounds: say Goodbye{DONE} and return after answering this many offers (nil: never).
    ///   - onEvent: called for each event, in order, besides ``events``.
    public init(configuration: EdgeConfiguration, clientID: String, transport: EdgeTransportConfiguration,
                data: any EdgeDataSource, faults: EdgeFaults = .none, stopAfterRounds: Int? = nil, logger: Logger,
                onEvent: (@Sendable (EdgeEvent) -> Void)? = nil) throws {
        self.configuration = try configuration.validated()
        files = EdgeStateDirectory(configuration: self.configuration)
        self.clientID = clientID
        self.transport = transport
        self.data = data
        self.faults = faults
        self.stopAfterRounds = stopAfterRounds
        var logger = logger
        logger[metadataKey: "client.id"] = "\(clientID)"
        self.logger = logger
        self.onEvent = onEvent
        (events, sink) = AsyncStream.makeStream(of: EdgeEvent.self, bufferingPolicy: .bufferingNewest(4096))
        (inputs, input) = AsyncStream.makeStream(of: Input.self)
        serving = ServingSlot()
        predictor = Predictor(slot: serving, store: (data as? FeedbackStoreSource)?.store)
    }

    /// Predicts with the model the edge holds, for an app that links the agent (the same call
    /// as `POST /v1/predict`): one answer per instance with its class, probabilities, the model
    /// version and the id its feedback references (each answer is logged in the feedback store).
    /// - Throws: `FeedbackError` `noModel` before a model is held (a checkpoint on disk is
    ///   served once `run()` starts); `invalidRecord` naming the instance and both feature counts.
    public func predict(_ features: [[Float]]) throws -> [Prediction] {
        try predictor.predict(features)
    }

    /// Serves what `checkpoint` holds (a no-op when it is served already).
    func serve(_ checkpoint: Checkpoint?) {
        do {
            if try serving.serve(checkpoint) {
                logger.debug("serving model", metadata: ["model.version": "\(serving.current?.version ?? 0)"])
            }
        } catch {
            logger.warning("cannot serve the held model", metadata: ["reason": "\(error)"])
        }
    }

    /// The transport settings of `configuration` with loaded credentials: TLS 1.3, the
    /// coordinator checked against the fleet CA and the server name, the configured heartbeats.
    public static func transport(for configuration: EdgeConfiguration, credentials: FleetCredentials) throws -> EdgeTransportConfiguration {
        var transport = try EdgeTransportConfiguration.mutualTLS(credentials: credentials,
                                                                serverHostname: configuration.serverName ?? configuration.coordinator.host)
        transport.session.heartbeatInterval = configuration.heartbeatInterval
        transport.session.idleTimeout = configuration.idleTimeout
        return transport
    }

    /// Sends a Ready with the edge's current facts (examples available, model version) on the open
    /// session, e.g. after a simulation swapped the data for a new task. Returns false when no
    /// session is open (the next Hello carries the facts) or the agent is not running.
    @discardableResult
    public func announce(trigger: String) async -> Bool {
        await withCheckedContinuation { reply in
            if case .terminated = input.yield(.announce(trigger, reply: reply)) { reply.resume(returning: false) }
        }
    }

    /// Asks the agent to stop: Goodbye{SHUTDOWN} on an open session, then `run()` returns.
    public func stop() {
        input.yield(.event(.stopRequested))
    }

    public func run() async throws {
        var instance = EdgeInstance(configuration: configuration, clientID: clientID, held: try files.loadCheckpoint(),
                                    kept: loadKeptUpdate(), status: try Self.reading { try data.status() },
                                    faults: faults, stopAfterRounds: stopAfterRounds)
        instance.residual = loadResidual()
        serve(instance.held)
        let input = self.input
        var failure: EdgeError?
        await withTaskCancellationOrGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                let interval = configuration.triggers.checkInterval
                group.addTask {
                    while (try? await Task.sleep(for: interval)) != nil { input.yield(.event(.arrivalsDue)) }
                }
                var loop = Loop(agent: self)
                var ending = await loop.handle(.event(.started), instance: &instance, group: &group)
                if ending == nil {
                    for await next in inputs {
                        ending = await loop.handle(next, instance: &instance, group: &group)
                        if ending != nil { break }
                    }
                }
                if case .failed(let error) = ending { failure = error }
                group.cancelAll()
            }
        } onCancelOrGracefulShutdown: {
            input.yield(.event(.stopRequested))
        }
        await drainInputs()
        logger.info("edge agent stopped", metadata: ["rounds.answered": "\(instance.roundsAnswered)"])
        emit(.stopped)
        if let failure { throw failure }
    }

    /// After the loop: inputs are refused from now on, and an announce still queued is told no
    /// (the finished stream hands over what it buffered, then ends).
    private func drainInputs() async {
        input.finish()
        for await left in inputs {
            if case .announce(_, let reply) = left { reply.resume(returning: false) }
        }
    }

    func emit(_ event: EdgeEvent) {
        log(event)
        sink.yield(event)
        onEvent?(event)
    }

    /// The kept Update, or nil (none, or unreadable: then a re-offered round is trained again,
    /// and a coordinator that journaled the old one refuses the new one with a code).
    private func loadKeptUpdate() -> Update? {
        do {
            return try files.loadKeptUpdate()
        } catch {
            logger.warning("the kept Update cannot be read; a round offered again will be trained again", metadata: ["reason": "\(error)"])
            return nil
        }
    }

    /// Runs a read or write of the data source; its failure is the edge's state failing.
    static func reading<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as EdgeError {
            throw error
        } catch {
            throw EdgeError(.state, "local data: \(error)")
        }
    }
}
