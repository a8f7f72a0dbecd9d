import Foundation
import Logging
import ServiceLifecycle
import TributaryCertificates
import TributaryEdgeTransport
import TributaryLearning
import TributaryTransport
import TributaryWire

/// The long-running edge agent: connects to the coordinator over mutual TLS, reports itself
/// Ready when a trigger fires, answers RoundOffers with Updates trained on its private data,
/// adopts ModelReleases, and reconnects with backoff when the coordinator is away. Its state
/// (``EdgeConfiguration/checkpointPath``) survives a crash.
///
/// ```swift
/// let agent = try EdgeAgent(configuration: config, clientID: "gw-17", transport: transport,
///                           data: InMemoryDataSource(partition), logger: logger)
/// Task { for await event in agent.events { print(event) } }
/// try await agent.run()     // until cancelled, stop(), SIGTERM in a ServiceGroup, or a fatal refusal
/// ```
/// `run()` throws ``EdgeError`` (`fatalRefusal`, `state`) when retrying cannot help: a revoked or
/// refused certificate, a checkpoint or store that cannot be written.
public final class EdgeAgent: Service, Sendable {
    public let configuration: EdgeConfiguration
    public let clientID: String
    /// Everything the agent does, in order (the newest 4,096 kept when nobody reads).
    public let events: AsyncStream<EdgeEvent>
    private let sink: AsyncStream<EdgeEvent>.Continuation
    private let onEvent: (@Sendable (EdgeEvent) -> Void)?
    private let transport: EdgeTransportConfiguration
    private let data: any EdgeDataSource
    private let faults: EdgeFaults
    private let stopAfterRounds: Int?
    private let logger: Logger
    private let stopSignal = StopSignal()
    /// The open session's sender, for ``announce(trigger:)``.
    private let openSession = SenderSlot()

    /// - Parameters:
    ///   - transport: mutual TLS settings (``EdgeAgent/transport(for:credentials:)`` makes them from the configuration).
    ///   - faults: fault injection for tests and simulations.
    ///   - stopAfterRounds: say Goodbye{DONE} and return after answering this many offers (nil: never).
    ///   - onEvent: called for each event, in order, besides ``events``.
    public init(configuration: EdgeConfiguration, clientID: String, transport: EdgeTransportConfiguration,
                data: any EdgeDataSource, faults: EdgeFaults = .none, stopAfterRounds: Int? = nil, logger: Logger,
                onEvent: (@Sendable (EdgeEvent) -> Void)? = nil) throws {
        self.configuration = try configuration.validated()
        self.clientID = clientID
        self.transport = transport
        self.data = data
        self.faults = faults
        self.stopAfterRounds = stopAfterRounds
        var logger = logger
        logger[metadataKey: "client.id"] = "\(clientID)"
        self.logger = logger
        self.onEvent = onEvent
        let (stream, continuation) = AsyncStream.makeStream(of: EdgeEvent.self, bufferingPolicy: .bufferingNewest(4096))
        events = stream
        sink = continuation
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
    /// session is open (the next Hello carries the facts).
    @discardableResult
    public func announce(trigger: String) async -> Bool {
        guard let sender = openSession.get() else { return false }
        do {
            try await sender.announce(trigger)
            return true
        } catch {
            return false
        }
    }

    /// Asks the agent to stop: Goodbye{SHUTDOWN} on an open session, then `run()` returns.
    public func stop() {
        stopSignal.fire()
    }

    public func run() async throws {
        let state = try EdgeState(configuration: configuration, data: data)
        var backoff = ReconnectBackoff(configuration: configuration.reconnect, seed: configuration.seed &+ Self.hash(clientID))
        let stopSignal = self.stopSignal
        try await withTaskCancellationOrGracefulShutdownHandler {
            while !stopSignal.isFired, !Task.isCancelled {
                let reason: String
                do {
                    let ending = try await session(state)
                    if case .stopped = ending { break }
                    if case .ended(let why) = ending { reason = why } else { reason = "" }
                } catch {
                    if stopSignal.isFired || Task.isCancelled { break }
                    if case .fatal(let message) = SessionEnding.after(error) {
                        emit(.disconnected(reason: message))
                        logger.error("stopping: the coordinator will not admit this edge", metadata: ["reason": "\(message)"])
                        emit(.stopped)
                        throw EdgeError(.fatalRefusal, message)
                    }
                    reason = "\(error)"
                }
                if await state.takeOpened() { backoff.reset() }
                emit(.disconnected(reason: reason))
                let delay = backoff.nextDelay()
                logger.info("coordinator unreachable or session ended; reconnecting", metadata: [
                    "reason": "\(reason)", "backoff.delay": "\(delay)", "backoff.attempt": "\(backoff.attempts)",
                ])
                emit(.backingOff(delay))
                guard await stopSignal.sleep(for: delay) else { break }
            }
        } onCancelOrGracefulShutdown: {
            stopSignal.fire()
        }
        let answered = await state.roundsAnswered
        logger.info("edge agent stopped", metadata: ["rounds.answered": "\(answered)"])
        emit(.stopped)
    }

    enum Ending {
        /// Stop asked, or the rounds asked for were answered.
        case stopped
        case ended(String)
    }

    private func session(_ state: EdgeState) async throws -> Ending {
        let hello = Hello(clientID: clientID, device: try await state.facts())
        let endpoint = configuration.coordinator
        return try await EdgeClient.withSession(host: endpoint.host, port: endpoint.port, hello: hello,
                                                configuration: transport, logger: logger) { welcome, connection in
            await state.markOpened()
            let held = await state.heldVersion
            logger.info("session open", metadata: [
                "session.id": "\(welcome.sessionID)", "model.version": "\(welcome.globalModelVersion)", "model.held": "\(held)",
            ])
            emit(.connected(sessionID: welcome.sessionID, modelVersion: welcome.globalModelVersion))
            let outbound = connection.outbound
            let sender = Sender(outbound: outbound, state: state, agent: self)
            openSession.set(sender)
            defer { openSession.set(nil) }
            if let reason = await state.handle(.connected) {
                try await sender.ready(reason)
            } else if try await state.facts().examplesAvailable != hello.device.examplesAvailable {
                // The data changed between Hello and now (an announce then found no open session):
                // the coordinator must not select this edge on the Hello's stale count.
                try await sender.announce("data_changed")
            }
            let stopSignal = self.stopSignal
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    await stopSignal.wait()
                    guard stopSignal.isFired else { return }
                    try? await outbound.write(.goodbye(Goodbye(reason: .shutdown, detail: "the edge agent is stopping")))
                }
                group.addTask { await self.watchArrivals(sender) }
                var goodbye: Goodbye?
                while let message = try await connection.next() {
                    switch message {
                    case .roundOffer(let offer):
                        logger.info("round offered", metadata: ["round.id": "\(offer.roundID)", "model.version": "\(offer.baseModelVersion)"])
                        emit(.offered(round: offer.roundID, baseVersion: offer.baseModelVersion))
                        if faults.drops(round: offer.roundID) {
                            emit(.skipped(round: offer.roundID, reason: "dropped after the offer (fault injection)"))
                            connection.closer.close()
                        } else {
                            group.addTask { await self.answer(offer, sender) }
                        }
                    case .modelRelease(let release):
                        try await adopt(release, state)
                    case .updateReceipt(let receipt):
                        logger.info("update receipt", metadata: [
                            "round.id": "\(receipt.roundID)", "receipt.status": "\(receipt.status)", "reason": "\(receipt.reason)",
                        ])
                        emit(.receipt(round: receipt.roundID, status: receipt.status, reason: receipt.reason))
                    case .goodbye(let said):
                        goodbye = said
                        logger.info("coordinator said goodbye", metadata: ["goodbye.reason": "\(said.reason.rawValue)", "detail": "\(said.detail)"])
                    default:
                        break
                    }
                }
                group.cancelAll()
                if stopSignal.isFired || sender.isDone { return .stopped }
                return .ended(goodbye.map { "the coordinator said Goodbye (reason \($0.reason.rawValue)): \($0.detail)" }
                              ?? "the coordinator closed the session")
            }
        }
    }

    /// Trains on the offer (in a detached task, so the session keeps reading), saves the kept
    /// state, and sends the Update, unless the deadline passed. Never throws: a round that
    /// cannot be answered is logged and skipped.
    private func answer(_ offer: RoundOffer, _ sender: Sender) async {
        let round = offer.roundID
        do {
            guard let prepared = try await sender.state.prepare(offer) else {
                skip(round, "no trainable examples in the store yet")
                return
            }
            let (trainer, window) = prepared
            let hook = OnceHook(faults.onTrainingStep)
            let job = Task.detached { try trainer.answer(offer, progress: { _ in hook.call() }) }
            let outcome = try await valueUnlessCancelled(of: job)
            let report = outcome.report
            emit(.trained(round: round, examples: report.examples, loss: report.newDataAfter.loss, seconds: report.trainingSeconds))
            guard Int64(Date().timeIntervalSince1970 * 1000) <= offer.plan.deadlineUnixMilliseconds else {
                skip(round, "the round's deadline passed before training finished")
                return
            }
            try await sender.state.finish(outcome, window: window, offer: offer)
            if let delay = faults.delay(round: round) { try await Task.sleep(for: delay) }
            try await sender.outbound.write(.update(outcome.update))
            logger.info("update sent", metadata: [
                "round.id": "\(round)", "examples": "\(outcome.update.numExamples)",
                "train.loss": "\(report.newDataAfter.loss)", "delta.norm": "\(report.parameterDeltaNorm)",
            ])
            emit(.updateSent(round: round, examples: report.examples, loss: report.newDataAfter.loss))
            if let stopAfterRounds, await sender.state.roundsAnswered >= stopAfterRounds {
                sender.markDone()
                try await sender.outbound.write(.goodbye(Goodbye(reason: .done, detail: "answered \(stopAfterRounds) round(s)")))
            }
        } catch is CancellationError {
            skip(round, "the session ended during training")
        } catch {
            skip(round, "\(error)")
        }
    }

    private func skip(_ round: UInt64, _ reason: String) {
        logger.info("round not answered", metadata: ["round.id": "\(round)", "reason": "\(reason)"])
        emit(.skipped(round: round, reason: reason))
    }

    private func adopt(_ release: ModelRelease, _ state: EdgeState) async throws {
        if try await state.adopt(release) {
            logger.info("model adopted", metadata: ["model.version": "\(release.version)"])
            emit(.adopted(version: await state.heldVersion))
        } else {
            let held = await state.heldVersion
            logger.info("model release is a delta against a version this edge does not hold; keeping its model until the next offer",
                        metadata: ["model.version": "\(release.version)", "model.held": "\(held)"])
        }
    }

    /// Every check interval: newly stored examples go through the trigger; Ready when it fires.
    private func watchArrivals(_ sender: Sender) async {
        while !Task.isCancelled {
            do {
                if let reason = try await sender.state.observeArrivals() { try await sender.ready(reason) }
            } catch {
                logger.info("cannot read new examples", metadata: ["reason": "\(error)"])
            }
            guard (try? await Task.sleep(for: configuration.triggers.checkInterval)) != nil else { return }
        }
    }

    func emit(_ event: EdgeEvent) {
        sink.yield(event)
        onEvent?(event)
    }

    /// FNV-1a of the client id: each edge of a fleet jitters differently from the same seed.
    static func hash(_ text: String) -> UInt64 {
        text.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}
