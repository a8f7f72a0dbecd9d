import Foundation
import Logging
import TributaryAggregation
import TributaryLearning
import TributaryNumerics
import TributaryRegistry
import TributaryRounds
import TributaryWire

/// The coordinator's one actor: it owns the round machine, the connected clients, the running
/// round's sums and the live model, and performs the actions the machine returns (offers,
/// closes, abandons, wake-ups) against the registry and the clients' outboxes.
///
/// A round is closed inside one actor call with no suspension point, so nothing (a shutdown, an
/// update) interleaves with its commit.
actor CoordinatorEngine {
    let configuration: CoordinatorConfiguration
    let logger: Logger
    let metrics = CoordinatorMetrics()
    let emit: @Sendable (CoordinatorEvent) -> Void
    let registry: ModelRegistry
    let closer: RoundCloser
    /// The model's parameter layout (fixed for the coordinator's life).
    nonisolated let layout: ParameterLayout
    var machine: RoundStateMachine
    var live: GlobalModel
    var releases: ReleaseSet
    var links: [String: ClientLink] = [:]
    var nextToken: UInt64 = 0
    var work: RoundWork?
    var timers: [ContinuousClock.Instant: Task<Void, Never>] = [:]
    /// Journal writes the registry refused, oldest first, retried on each wake-up and before a
    /// round opens (so the journal never keeps a round `collecting` that this process ended).
    var pendingJournal: [PendingJournalWrite] = []
    /// Why the last round that failed to open did (for the operator's `round start`).
    var startFailure: (round: UInt64, reason: String)?
    var roundsEnded = 0
    /// False while start-up resolves the previous process's rounds.
    var countsRounds = false
    var stopReason: String?
    let stopSignal: AsyncStream<String>.Continuation
    let stopRequests: AsyncStream<String>

    /// Opens the registry, registers and promotes version 1 from the initial checkpoint when no
    /// version is live, resolves the rounds the journal shows unfinished, and loads the live model.
    init(configuration: CoordinatorConfiguration, logger: Logger, emit: @escaping @Sendable (CoordinatorEvent) -> Void) throws {
        self.configuration = configuration
        self.logger = logger
        self.emit = emit
        (stopRequests, stopSignal) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(1))
        do {
            registry = try ModelRegistry(configuration: RegistryConfiguration(directory: configuration.registryDirectory, access: .exclusive))
            let swept = try registry.sweep()  // debris of killed commits; the lock keeps other writers out
            if swept.removedCount > 0 { logger.info("registry sweep: \(swept.summary)") }
        } catch let error as RegistryError where error.code == .locked || error.code == .readOnly {
            throw CoordinatorError(.startup, "registry.directory: \(error.reason)")  // the reason names the path
        } catch let error as RegistryError {
            throw CoordinatorError(.startup, "registry.directory \(configuration.registryDirectory): \(error.reason)")
        }
        var recovered: [(UInt64, String)] = []
        let resumed = try Self.recover(registry: registry, logger: logger, into: &recovered)
        live = try Self.loadLive(registry: registry, initialCheckpoint: configuration.initialCheckpoint)
        layout = live.checkpoint.spec.parameterLayout
        let heldOut = try HeldOutSets(configuration.evaluation, spec: live.checkpoint.spec)
        closer = RoundCloser(aggregation: configuration.aggregation, gate: configuration.evaluation.gate,
                             useClientMetrics: configuration.evaluation.useClientMetrics, heldOut: heldOut)
        releases = try Self.releaseSet(registry: registry, live: live)
        let lastRound = try registry.lastRoundID() ?? 0
        let now = ContinuousClock.now
        machine = RoundStateMachine(configuration: configuration.rounds, currentVersion: live.version, nextRoundID: lastRound + 1, now: now)
        for (round, outcome) in recovered { emit(.recovered(round: round, outcome: outcome)) }
        if let resumed {
            let actions = machine.restore(round: resumed, now: now)
            if case .wakeUp = actions.first {
                work = try Self.makeWork(resumed, live: live, full: releases.full, configuration: configuration, now: now)
                emit(.recovered(round: resumed.id, outcome: "resumed until its deadline; offered again to selected clients as they reconnect"))
            }
            startupActions = actions
        }
    }

    /// What restoring a round asked for, performed by ``start()`` (an actor's init cannot).
    private var startupActions: [RoundAction] = []

    /// Performs what start-up decided (an abandon or the resumed round's deadline) and the
    /// trigger's first wake-up.
    func start() {
        let actions = startupActions
        startupActions = []
        perform(actions)
        // A round abandoned on restart belonged to the previous process: rounds.max_rounds counts this one's.
        roundsEnded = 0
        countsRounds = true
        perform(machine.tick(now: .now))
    }

    /// Resolves unfinished rounds in the journal; returns the one round to resume, if any.
    private static func recover(registry: ModelRegistry, logger: Logger, into recovered: inout [(UInt64, String)]) throws -> Round? {
        var resume: Round?
        for decision in try registry.recoverRounds(now: Date()) {
            switch decision {
            case .close(let round, let version):
                recovered.append((round, try finishRecoveredCommit(registry: registry, version: version)))
            case .abandon(let round, let reason):
                recovered.append((round, "abandoned: \(reason)"))
            case .resume(let round, _):
                let record = try registry.round(round)
                let remaining = record.deadline.timeIntervalSinceNow
                let now = ContinuousClock.now
                resume = Round(
                    id: round, baseVersion: record.baseVersion ?? 0, selected: record.selected,
                    accepted: Dictionary(record.updates.map { ($0.clientID, $0.examples) }, uniquingKeysWith: { a, _ in a }),
                    startedAt: now, deadline: now + .milliseconds(Int64(max(0, remaining) * 1000)))
            }
        }
        return resume
    }

    /// A round whose version was registered before the crash: apply the gate decision stored with
    /// the version (`gate.promote`) if it was not applied yet.
    private static func finishRecoveredCommit(registry: ModelRegistry, version: UInt64) throws -> String {
        let row = try registry.show(version)
        guard row.status == .candidate else { return "closed with version \(version) (\(row.status.rawValue))" }
        if row.metrics["gate.promote"] == 1 {
            try registry.promote(version)
            return "closed with version \(version), promoted on restart (the gate had passed it)"
        }
        try registry.reject(version, reason: "evaluation gate refused it (applied on restart)")
        return "closed with version \(version), rejected on restart (the gate had refused it)"
    }

    private static func loadLive(registry: ModelRegistry, initialCheckpoint: String?) throws -> GlobalModel {
        do {
            if let live = try registry.live() {
                return try GlobalModel(version: live.number, stored: try registry.load(live.number))
            }
            guard let initialCheckpoint else {
                throw CoordinatorError(.startup, "the registry has no live version and model.initial_checkpoint is not set (make one with `tributary init`)")
            }
            let checkpoint: Checkpoint
            do {
                checkpoint = try CheckpointStore.load(from: initialCheckpoint).checkpoint
            } catch let error as LearningError {
                throw CoordinatorError(.startup, "model.initial_checkpoint \(initialCheckpoint): \(error.reason)")
            }
            let expected = (try registry.list().last?.number ?? 0) + 1
            let first = try GlobalModel(version: expected, stored: checkpoint)
            let version = try registry.register(candidate: VersionCandidate(
                checkpoint: try first.storedCheckpoint(), note: "initial model from \(initialCheckpoint)"))
            try registry.promote(version.number)
            return try GlobalModel(version: version.number, stored: try registry.load(version.number))
        } catch let error as RegistryError {
            throw CoordinatorError(.startup, "registry \(registry.configuration.directory): \(error.reason)")
        }
    }

    /// The live version's release forms; the delta is built when the parent is in the registry.
    static func releaseSet(registry: ModelRegistry, live: GlobalModel) throws -> ReleaseSet {
        let row = try registry.show(live.version)
        let parent = try row.parent.map { try registry.load($0).parameters }
        return try ReleaseSet(live: live, parentVersion: row.parent ?? 0, parentParameters: parent)
    }

    // MARK: Stopping

    /// Resumes with the reason once a stop was requested (shutdown or `rounds.max_rounds`).
    nonisolated var stopRequested: AsyncStream<String> { stopRequests }

    /// Stops rounds and says Goodbye to every client: an open round is abandoned in the journal
    /// (its sums die with the process), timers are cancelled, each outbox ends after its Goodbye.
    func stop(reason: String, goodbye: Goodbye.Reason) {
        guard stopReason == nil else { return }
        stopReason = reason
        for timer in timers.values { timer.cancel() }
        timers = [:]
        if let work, machine.isCollecting {
            journal(.abandon(round: work.round.id, reason: "coordinator stopped while collecting (\(reason))"))
            emit(.roundAbandoned(round: work.round.id, reason: "coordinator stopped while collecting (\(reason))"))
            self.work = nil
        }
        for link in links.values {
            link.send(.goodbye(Goodbye(reason: goodbye, detail: reason)))
            link.outbox.finish()
        }
        links = [:]
        stopSignal.yield(reason)
        stopSignal.finish()
    }

}
