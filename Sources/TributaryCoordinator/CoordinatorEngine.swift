import Foundation
import Logging
import TributaryNumerics
import TributaryRegistry
import TributaryRounds
import TributaryWire

/// The coordinator's shell: an actor that feeds events (sessions, Ready, Updates, timers, the
/// operator, the registry's answers) to ``CoordinatorInstance`` with the time, and performs the
/// actions it returns: outbox writes, wake-ups, events, and registry work on the
/// ``RegistryWorker``'s queue (never on the actor). While a registry job runs the actor keeps
/// serving; the instance's round phase decides what other events may do meanwhile.
actor CoordinatorEngine {
    let logger: Logger
    let metrics = CoordinatorMetrics()
    let emit: @Sendable (CoordinatorEvent) -> Void
    let worker: RegistryWorker
    let commitJob: RoundCommitJob
    /// The model's parameter layout (fixed for the coordinator's life).
    nonisolated let layout: ParameterLayout
    var instance: CoordinatorInstance
    /// Session outboxes by token.
    var outboxes: [UInt64: AsyncStream<WireMessage>.Continuation] = [:]
    var timers: [ContinuousClock.Instant: Task<Void, Never>] = [:]
    /// The periodic read of the registry's live row (`registry.live_check`).
    var liveCheck: Task<Void, Never>?
    /// A live version the check found with another architecture (refused once, not reloaded
    /// every interval while it stays live).
    var refusedLive: UInt64?
    let stopSignal: AsyncStream<String>.Continuation
    let stopRequests: AsyncStream<String>
    /// What start-up recovered, reported by ``start()``.
    private var recovered: (recovered: [(round: UInt64, outcome: String)], resumed: Round?)?

    /// Opens the registry, registers and promotes version 1 from the initial checkpoint when no
    /// version is live, resolves the rounds the journal shows unfinished, and loads the live model.
    init(configuration: CoordinatorConfiguration, logger: Logger, hooks: CoordinatorHooks = CoordinatorHooks(),
         emit: @escaping @Sendable (CoordinatorEvent) -> Void) throws {
        self.logger = logger
        self.emit = emit
        (stopRequests, stopSignal) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(1))
        let registry = try CoordinatorStartup.openRegistry(configuration, logger: logger)
        let now = CoordinatorTime.now
        let recovered = try CoordinatorStartup.recover(registry: registry, now: now)
        let live = try CoordinatorStartup.loadLive(registry: registry, initialCheckpoint: configuration.initialCheckpoint)
        let heldOut = try HeldOutSets(configuration.evaluation, regression: live.checkpoint.spec.isRegression)
        layout = live.checkpoint.spec.parameterLayout
        try heldOut.validate(against: live.checkpoint)
        CoordinatorStartup.warnIfUnstandardised(live, heldOut: heldOut, logger: logger)
        CoordinatorStartup.warnIfPrivateFisherWeighted(configuration, logger: logger)
        commitJob = RoundCommitJob(
            closer: RoundCloser(aggregation: configuration.aggregation, gate: configuration.evaluation.gate,
                                useClientMetrics: configuration.evaluation.useClientMetrics, heldOut: heldOut),
            registryDirectory: configuration.registryDirectory, release: configuration.release, federated: configuration.evaluation.federated)
        let lastRound = try registry.lastRoundID() ?? 0
        instance = CoordinatorInstance(
            configuration: configuration, live: live, releases: try CoordinatorStartup.releaseSet(registry: registry, live: live),
            nextRoundID: lastRound + 1, now: now)
        try instance.privacy?.restore(versionMetrics: try registry.list().map(\.metrics))
        worker = RegistryWorker(registry: registry, hooks: hooks, logger: logger)
        self.recovered = recovered
    }

    /// Reports what start-up recovered, resumes or abandons the journal's collecting round, and
    /// asks the trigger.
    func start() async {
        guard let recovered else { return }
        self.recovered = nil
        let stalls = worker.stalls
        Task { [weak self] in
            for await _ in stalls { await self?.journalStalled() }
        }
        await perform(instance.started(recovered: recovered.recovered, resumed: recovered.resumed, now: .now))
        startLiveCheck()
    }

    // MARK: Events

    /// A client's session opened. Returns its token, or nil when the coordinator is stopping.
    func connected(_ hello: Hello, outbox: AsyncStream<WireMessage>.Continuation) async -> UInt64? {
        let (token, actions) = instance.connected(hello, now: .now)
        guard let token else { return nil }
        outboxes[token] = outbox
        await perform(actions)
        metrics.connectedClients.record(outboxes.count)
        recordLiveFeedback()
        return token
    }

    func ready(_ ready: Ready, from clientID: String, token: UInt64) async {
        logger.debug("ready report", metadata: ["client.id": "\(clientID)", "ready": "\(ready.ready)", "trigger": "\(ready.trigger)",
                                               "examples": "\(ready.device.examplesAvailable)", "model.held": "\(ready.device.modelVersion)"])
        await perform(instance.ready(ready, from: clientID, token: token, now: .now))
        recordLiveFeedback()
    }

    /// The live-feedback gauges: each arm of a rollout in flight, else the live version.
    private func recordLiveFeedback() {
        if let rollout = instance.rollout {
            let canary = rollout.comparison.canary, control = rollout.comparison.control
            CoordinatorMetrics.liveArm("canary", version: rollout.version, outcomes: canary.outcomes, correct: canary.correct)
            CoordinatorMetrics.liveArm("control", version: rollout.comparison.baseVersion, outcomes: control.outcomes, correct: control.correct)
        } else if let live = instance.liveAccuracy {
            CoordinatorMetrics.liveArm("live", version: instance.live.version, outcomes: live.outcomes, correct: live.correct)
        }
    }

    func evaluated(_ result: EvaluateResult, from clientID: String, token: UInt64) async {
        await perform(instance.evaluated(result, from: clientID, token: token, now: .now))
    }

    func secureMessage(_ message: SecureAggregationMessage, from clientID: String, token: UInt64) async {
        await perform(instance.secureMessage(message, from: clientID, token: token, now: .now))
    }

    func disconnected(_ clientID: String, token: UInt64) async {
        await perform(instance.disconnected(clientID, token: token, now: .now))
        metrics.connectedClients.record(outboxes.count)
    }

    func received(_ update: IncomingUpdate, token: UInt64) async {
        let actions = instance.updateReceived(update, token: token, now: .now)
        if actions.contains(where: { if case .emit(.updateAccepted) = $0 { true } else { false } }) {
            metrics.bytesReceived.increment(by: update.bytes)
        }
        await perform(actions)
    }

    /// The operator's start: returns the round id once the round is journaled and offered, or
    /// throws why it was refused or could not open.
    func requestRound() async throws -> UInt64 {
        let (id, actions) = try instance.startRequested(now: .now)
        await perform(actions)
        if let failure = instance.startFailure, failure.round == id {
            throw CoordinatorError(.roundRefused, "round \(id) \(failure.reason)")
        }
        return id
    }

    func status() -> CoordinatorStatus { instance.status(now: .now) }

    /// The operator's `tributary rollout promote|abort`: returns once the registry settled it.
    func settleRollout(promote: Bool) async throws -> VersionDecision {
        let actions = try instance.operatorSettles(promote: promote, now: .now)
        await perform(actions)
        guard case .settleRollout(let decision, _) = actions.first else {
            throw CoordinatorError(.noRollout, "the rollout was not settled")
        }
        if let rollout = instance.rollout, rollout.version == decision.version {
            throw CoordinatorError(.noRollout, "the registry refused to settle version \(decision.version); see the coordinator's log")
        }
        return decision
    }

    func announceTask() { instance.taskAnnounced = true }

    /// Stops rounds and says Goodbye to every client (see ``CoordinatorInstance/stopRequested(reason:goodbye:)``).
    func stop(reason: String, goodbye: Goodbye.Reason) async {
        await perform(instance.stopRequested(reason: reason, goodbye: goodbye))
    }

    /// Resumes with the reason once a stop was requested (shutdown or `rounds.max_rounds`).
    nonisolated var stopRequested: AsyncStream<String> { stopRequests }

    private func journalStalled() async {
        await perform(instance.journalStalled(now: .now))
    }

    func fired(_ instant: ContinuousClock.Instant) async {
        timers[instant] = nil
        await perform(instance.timerFired(now: .now))
    }
}
