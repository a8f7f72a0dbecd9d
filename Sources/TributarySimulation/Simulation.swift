import Foundation
import Logging
import TributaryAggregation
import TributaryCertificates
import TributaryCoordinator
import TributaryEdge
import TributaryExperiments
import TributaryLearning
import TributaryRounds
import TributarySystem
import TributaryTransport
import TributaryWire

/// `tributary simulate` as a library: a coordinator and N edge agents in this process over real
/// loopback mutual TLS, the digits tasks partitioned across the clients, rounds driven one after
/// the other, faults injected from a seeded plan, and a report.
///
/// ```swift
/// var configuration = SimulationConfiguration(workDirectory: "/tmp/sim")
/// configuration.clients = 50
/// let report = try await Simulation(configuration: configuration).run { line in print(line) }
/// ```
public struct Simulation: Sendable {
    public let configuration: SimulationConfiguration
    private let logger: Logger

    public init(configuration: SimulationConfiguration, logger: Logger = Logger(label: "tributary.simulate")) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs every round of every task; `progress` gets one line per round (and a few set-up lines).
    public func run(progress: @escaping @Sendable (String) -> Void = { _ in }) async throws -> SimulationReport {
        let configuration = self.configuration
        try configuration.validate()
        let started = ContinuousClock.now
        let data = try SimulationData(configuration: configuration)
        let work = configuration.workDirectory
        try AtomicFile.ensureDirectory(work)
        try AtomicFile.write(try data.partitionFile(), to: work + "/partition.json")

        progress("simulate: \(configuration.clients) clients, \(data.tasks.count) tasks × \(configuration.roundsPerTask) rounds, partition \(configuration.partition), faults drop \(configuration.faults.dropFraction) slow \(configuration.faults.slowFraction) restart \(configuration.faults.restartFraction)")
        let certificates = try SimulatedFleet.issueCertificates(in: work + "/fleet", clients: configuration.clients)
        let model = try initialCheckpoint(data: data)
        _ = try CheckpointStore.save(model, to: work + "/global.ckpt")
        let heldOut = try writeHeldOut(data.tasks, into: work + "/held-out")
        let initialModel = try model.model()
        let baseline = data.tasks.map { data.tasks.score(initialModel, on: $0) }

        let sizes = try configuration.roundSizes(holders: data.holders)
        let coordinator = Coordinator(configuration: try coordinatorConfiguration(
            serverFiles: certificates.server, heldOut: heldOut, ca: work + "/fleet/ca.pem", sizes: sizes,
            totalRounds: data.tasks.count * configuration.roundsPerTask), logger: logger)
        let watcher = RoundWatcher()
        let watching = Task { await watcher.consume(coordinator.events, print: progress) }
        let serving = Task { try await coordinator.run() }
        defer { serving.cancel() }
        guard let port = await watcher.listeningPort() else {
            _ = try await serving.value
            throw LearningError(.invalidConfiguration, "the simulated coordinator stopped before listening")
        }

        let plan = FaultPlan(configuration: configuration.faults, clients: configuration.clients, seed: configuration.seed)
        let dishonest = plan.dishonest
        if !dishonest.isEmpty {
            progress("simulate: \(dishonest.count) dishonest clients (\(configuration.faults.dishonestKind.rawValue)): \(dishonest.sorted().map(SimulatedFleet.clientName).joined(separator: ", ")); update bounds \(configuration.bounds.isOff ? "off" : "on")")
        }
        let fleet = SimulatedFleet(faults: { index in Self.faults(of: index, plan: plan, dishonest: dishonest, slowDelay: configuration.faults.slowDelay) },
                                   logger: logger)
        let tally = FaultTally(slowClients: { plan.faults(round: Int($0)).slow })
        let observe: @Sendable (Int, EdgeEvent) -> Void = { index, event in tally.record(index, event) }
        try await startAgents(fleet, files: certificates.clients, port: port, data: data, onEvent: observe)
        try await waitFor("all \(configuration.clients) edge agents to connect", coordinator) { $0.population == configuration.clients }
        progress("simulate: \(configuration.clients) edge agents connected over mutual TLS to 127.0.0.1:\(port)")

        var rounds: [SimulationReport.Round] = []
        var accuracy = baseline
        var version = UInt64(1)
        var stoppedReason: String?
        do {
            tasks: for (taskIndex, task) in data.tasks.enumerated() {
                if taskIndex > 0 {
                    await fleet.replaceData { data.dataset(task: taskIndex, client: $0) }
                    // A new task: the operator's announcement, so the next round consolidates first.
                    try await coordinator.announceTask()
                }
                let holders = data.holders[taskIndex]
                for roundInTask in 0..<configuration.roundsPerTask {
                    let roundNumber = taskIndex * configuration.roundsPerTask + roundInTask + 1
                    let faults = plan.faults(round: roundNumber)
                    for index in faults.restart.sorted() { try await fleet.restart(index: index, onEvent: observe) }
                    try await waitFor("\(holders) clients with data for \(task.name) to be connected and eligible", coordinator) {
                        $0.population == configuration.clients && $0.eligible == holders && $0.currentRound == nil
                    }
                    var record = SimulationReport.Round(
                        task: taskIndex, roundInTask: roundInTask, roundID: 0, outcome: "abandoned", version: version, offered: 0,
                        accepted: 0, refused: 0, dropped: 0, slow: 0, restarted: faults.restart.count, accuracy: accuracy,
                        bytesFromClients: 0, bytesToClients: 0, wallSeconds: 0)
                    guard try await Self.play(&record, coordinator: coordinator, watcher: watcher, tally: tally,
                                              modelBytes: model.parameters.count * 4, tasks: data.tasks, progress: progress) else {
                        // The coordinator stopped on its own (the privacy budget is spent): the run ends here.
                        stoppedReason = await watcher.stopReason
                        break tasks
                    }
                    (version, accuracy) = (record.version, record.accuracy)
                    rounds.append(record)
                    progress(Self.line(record, tasks: data.tasks.count, roundsPerTask: configuration.roundsPerTask, regression: data.tasks.isRegression))
                }
            }
        } catch {
            await fleet.stopAll()
            await coordinator.shutdown()
            throw error
        }
        await fleet.stopAll()
        await coordinator.shutdown()
        _ = try? await serving.value
        watching.cancel()
        var report = SimulationReport(
            scenario: configuration.userData.map { "csv:" + $0.path } ?? configuration.scenario.rawValue, clients: configuration.clients, partition: configuration.partition.description,
            taskNames: data.tasks.map(\.name), roundsPerTask: configuration.roundsPerTask, faults: configuration.faults,
            seed: configuration.seed, rounds: rounds, baseline: baseline, totalWallSeconds: (ContinuousClock.now - started).seconds)
        // Inside secure rounds nothing is encoded: the upload is the masked vector in its ring.
        report.compression = configuration.secureAggregation.map { "masked vectors in a \($0.ringBits)-bit ring" } ?? configuration.compression.summary
        // The plan asks for the Fisher unless the rule is FedAvg and λ is 0 (`skip_fisher`).
        let fisher = configuration.federated.rule.needsFisher || configuration.federated.ewcLambda > 0
        report.measureUploads(fp32UploadBytes: model.parameters.count * 4 * (fisher ? 2 : 1))
        report.stoppedReason = stoppedReason
        report.privacy = configuration.plannedPrivacy(totalRounds: data.tasks.count * configuration.roundsPerTask).summary
        return report
    }

    /// Starts one edge agent per client, each with its certificate, state directory and first task's share.
    private func startAgents(_ fleet: SimulatedFleet, files: [IssuedFiles], port: Int, data: SimulationData,
                             onEvent: @escaping @Sendable (Int, EdgeEvent) -> Void) async throws {
        let work = configuration.workDirectory
        let classCount = configuration.userData == nil ? 10 : (data.tasks.isRegression ? 1 : Int(data.tasks.flatMap(\.classes).max() ?? 0) + 1)
        for index in 0..<configuration.clients {
            try await fleet.start(index: index, files: files[index], ca: work + "/fleet/ca.pem", port: port,
                                  stateDirectory: work + "/edges/\(SimulatedFleet.clientName(index))",
                                  data: data.dataset(task: 0, client: index), classCount: classCount,
                                  replay: configuration.federated.replay, seed: configuration.seed &+ UInt64(index + 1),
                                  onEvent: onEvent)
        }
    }

    /// Requests a round, waits for its end, and fills in `record` (which holds its place in the
    /// schedule, the restarts, and the version and accuracies before it). False when the
    /// coordinator stopped instead because its privacy budget is spent.
    private static func play(_ record: inout SimulationReport.Round, coordinator: Coordinator, watcher: RoundWatcher, tally: FaultTally,
                             modelBytes: Int, tasks: [ContinualTask], progress: @Sendable (String) -> Void) async throws -> Bool {
        let roundStart = ContinuousClock.now
        let id = try await coordinator.requestRound()
        guard let ending = await watcher.ending(of: id) else {
            if let reason = await watcher.stopReason, reason.hasPrefix(PrivacySettings.budgetSpent) { return false }
            throw LearningError(.invalidConfiguration, "the coordinator stopped during round \(id)")
        }
        record.wallSeconds = (ContinuousClock.now - roundStart).seconds
        record.roundID = id
        record.offered = await watcher.offeredCount(id)
        record.refused = await watcher.refusedCount(id)
        (record.dropped, record.slow) = tally.counts(round: id)
        record.bytesToClients = record.offered * modelBytes
        if case .abandoned(let reason) = ending {
            record.abandonReason = reason
            progress("round \(id) abandoned: \(reason)")
        }
        Self.record(ending, in: &record, tasks: tasks)
        return true
    }

    /// Client `index`'s faults: those the seeded plan gives it in each round.
    private static func faults(of index: Int, plan: FaultPlan, dishonest: Set<Int>, slowDelay: Duration) -> EdgeFaults {
        let kind = plan.configuration.dishonestKind
        var faults = EdgeFaults(perRound: { round in
            let faults = plan.faults(round: Int(round))
            return EdgeFaults.RoundFault(drop: faults.drop.contains(index), delay: faults.slow.contains(index) ? slowDelay : nil)
        })
        if dishonest.contains(index) {
            faults.rewriteUpdate = { (update: Update) -> Update in kind.rewrite(update) }
        }
        return faults
    }

    /// A closed round's outcome in `record`: its updates and bytes, and when it promoted, the new
    /// version and accuracies (otherwise the record keeps the version and accuracies it had).
    private static func record(_ ending: RoundWatcher.Ending, in record: inout SimulationReport.Round, tasks: [ContinualTask]) {
        guard case .closed(let summary) = ending else { return }
        record.accepted = summary.updates
        record.epsilon = summary.privacy?.epsilon
        record.noiseMultiplier = summary.privacy?.noiseMultiplier
        record.bytesFromClients = summary.bytesReceived
        record.bytesPerUpload = summary.updates > 0 ? summary.bytesReceived / summary.updates : nil
        guard summary.promoted else {
            record.outcome = "rejected"
            return
        }
        record.version = summary.version
        record.accuracy = tasks.map { (tasks.isRegression ? summary.rmse[$0.name] : summary.accuracy[$0.name]) ?? 0 }
        if tasks.isRegression { record.meanAbsoluteError = tasks.map { summary.mae[$0.name] ?? 0 } }
        record.outcome = "promoted"
    }

    static func line(_ round: SimulationReport.Round, tasks: Int, roundsPerTask: Int, regression: Bool = false) -> String {
        let accuracy = round.accuracy.map { regression ? String(format: "%.3f", $0) : String(format: "%3.0f", $0 * 100) }.joined(separator: " ")
        let faults = [round.dropped > 0 ? "\(round.dropped) dropped" : nil, round.slow > 0 ? "\(round.slow) slow" : nil,
                      round.restarted > 0 ? "\(round.restarted) restarted" : nil].compactMap { $0 }
        return String(format: "task %d/%d round %d/%d: round %d %@ v%d, %d/%d updates%@, %.2f s, %@",
                      round.task + 1, tasks, round.roundInTask + 1, roundsPerTask, Int(round.roundID), round.outcome, Int(round.version),
                      round.accepted, round.offered, faults.isEmpty ? "" : " (" + faults.joined(separator: ", ") + ")",
                      round.wallSeconds, regression ? "RMSE " + accuracy : "accuracy %: " + accuracy) + (round.epsilon.map { String(format: ", ε %.3g", $0) } ?? "")
    }

    // MARK: Set-up

    private func initialCheckpoint(data: SimulationData) throws -> Checkpoint {
        let federated = configuration.federated
        // The digits model always has the 10 digits' outputs, however many tasks run.
        let spec = configuration.userData == nil
            ? try ModelSpec.mlp(input: data.tasks[0].train.featureCount, hidden: federated.hidden, outputs: 10)
            : try data.tasks.modelSpec(hidden: federated.hidden)
        let plan = TrainingPlan(
            epochs: federated.localEpochs, batchSize: federated.batchSize,
            replayBatchSize: federated.replayPerClient > 0 ? (federated.replayBatchSize ?? federated.batchSize) : nil,
            ewc: federated.ewcLambda > 0 ? EWCConfiguration(lambda: federated.ewcLambda) : nil, maskUnseenClasses: federated.maskUnseenClasses)
        var checkpoint = try Checkpoint.fresh(
            spec: spec, seed: configuration.seed, optimizer: .sgd(SGD(learningRate: federated.learningRate)),
            replay: federated.replay, plan: plan)
        checkpoint.centreRegressionOutput(on: data.tasks[0].train)
        checkpoint.metadata["simulation.scenario"] = configuration.userData.map { "csv:" + $0.path } ?? configuration.scenario.rawValue
        return checkpoint
    }

    private func coordinatorConfiguration(serverFiles: IssuedFiles, heldOut: [CoordinatorConfiguration.HeldOutSet],
                                          ca: String, sizes: (target: Int, quorum: Int), totalRounds: Int) throws -> CoordinatorConfiguration {
        let work = configuration.workDirectory
        let privacy = configuration.plannedPrivacy(totalRounds: totalRounds)
        let rounds = try RoundConfiguration(
            targetUpdates: sizes.target, overSelection: 1.3, quorum: sizes.quorum, collectTimeout: configuration.collectTimeout,
            trigger: .manual, minimumExamples: 1, seed: configuration.seed)
        // Measuring learning, not deploying: every candidate is promoted, even one at chance.
        let permissive = PromotionGate(maxTaskDrop: 1, maxNewDataDrop: 1, minimumStability: 0, maxClientAccuracyDrop: 1,
                                       chanceMargin: nil, maxErrorRise: 1e12)
        var coordinator = try CoordinatorConfiguration(
            tls: .init(certificate: serverFiles.certificatePath, key: serverFiles.keyPath, ca: ca,
                       // Every simulated client is on 127.0.0.1, and up to thousands handshake at once
                       // in this one process: the production deadline would cut a loaded machine's.
                       handshakeTimeout: .seconds(120), maxConnectionsPerAddress: max(256, 2 * configuration.clients)),
            registryDirectory: work + "/registry", initialCheckpoint: work + "/global.ckpt",
            listen: Endpoint(host: "127.0.0.1", port: 0), rounds: rounds, readyOnHello: true,
            aggregation: configuration.aggregation,
            evaluation: .init(heldOut: heldOut, gate: configuration.gate ?? permissive, useClientMetrics: configuration.gate != nil),
            admin: nil, privacy: privacy)
        coordinator.secureAggregation = configuration.secureAggregation
        coordinator.compression = configuration.compression
        return coordinator
    }

    private func writeHeldOut(_ tasks: [ContinualTask], into directory: String) throws -> [CoordinatorConfiguration.HeldOutSet] {
        try AtomicFile.ensureDirectory(directory)
        return try tasks.enumerated().map { index, task in
            let path = directory + "/task-\(index + 1).csv"
            try AtomicFile.write(Array(CSVLoader.render(task.test).utf8), to: path)
            return CoordinatorConfiguration.HeldOutSet(name: task.name, path: path)
        }
    }

    /// Polls the coordinator's status until `condition` holds; fails after 300 s naming what it
    /// waited for. The bound only detects a hang: 1,000 agents connecting on a loaded machine
    /// take minutes, and a verdict must not depend on the machine's speed.
    private func waitFor(_ what: String, _ coordinator: Coordinator, _ condition: (CoordinatorStatus) -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(300)
        var last: CoordinatorStatus?
        while ContinuousClock.now < deadline {
            if let status = try? await coordinator.status() {
                last = status
                if condition(status) { return }
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw LearningError(.invalidConfiguration, "simulate: waited 300 s for \(what); the coordinator reports \(last.map { "\($0.population) connected, \($0.eligible) eligible" } ?? "no status")")
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
