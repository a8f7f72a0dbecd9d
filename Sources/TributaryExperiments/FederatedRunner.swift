import TributaryAggregation
import TributaryLearning

/// Settings of an in-process federated run over a task sequence (defaults: the issue-5 protocol).
public struct FederatedConfiguration: Sendable {
    public var clients = 10
    /// Label skew of each task's split across clients (nil: IID).
    public var dirichletAlpha: Double? = 0.5
    public var roundsPerTask = 10
    /// Local epochs per round: 4 local passes let a client learn its share of a new task within
    /// the task's rounds under the EWC penalty (1 pass left the newest task at 48 % on split digits).
    public var localEpochs = 4
    public var batchSize = 8
    public var learningRate: Float = 0.07
    public var hidden = [64]
    /// Local replay buffer per client (0: none): 30 examples (7.7 KB of digits) per device.
    public var replayPerClient = 30
    /// How each client's buffer chooses what to keep: class-balanced, so that a client's rare
    /// classes of past tasks are not crowded out by its frequent ones (Dirichlet label skew).
    public var replayPolicy: ReplayPolicy = .classBalanced
    /// Replay examples mixed into each local minibatch (nil: the batch size).
    public var replayBatchSize: Int? = 16
    /// Strength of the local EWC penalty against the global EWC state (0: none, and no Fisher
    /// sent). With the normalised consolidation (each task's Fisher has mean 1) one value serves
    /// every scenario: docs/algorithms.md has the sweep that chose it.
    public var ewcLambda: Float = 0.02
    /// When and how the global EWC state consolidates (at each new task, normalised, γ = 1).
    public var consolidation = ConsolidationPolicy()
    /// Seen-class masking in the clients' jobs (`TrainingPlan.maskUnseenClasses`).
    public var maskUnseenClasses = true
    public var rule: AggregationRule = .fisherWeighted()
    public var serverOptimizer: ServerOptimizer = .fedAvg(learningRate: 1)
    /// The coordinator's update bounds, to compare with a fleet (off: the in-process protocol
    /// has no dishonest client).
    public var bounds: UpdateBounds = .off
    public var seed: UInt64 = 7

    /// The one configuration of the federated quality bar, for split and permuted digits alike
    /// (docs/benchmarks.md has the 5-seed tables).
    public init() {}

    /// The clients' replay buffer configuration.
    public var replay: ReplayConfiguration { ReplayConfiguration(capacity: replayPerClient, policy: replayPolicy) }

    /// Plain FedAvg: no replay, no EWC, unweighted (by examples only) averaging.
    public static var plainFedAvg: FederatedConfiguration {
        var configuration = FederatedConfiguration()
        configuration.replayPerClient = 0
        configuration.ewcLambda = 0
        configuration.maskUnseenClasses = false
        configuration.rule = .fedAvg
        return configuration
    }
}

/// What a federated run measured.
public struct FederatedResult: Sendable {
    /// R[i][j] after the last round of task i (RMSE for a regression sequence).
    public var matrix: AccuracyMatrix
    /// Accuracy (or RMSE) on every task after every round.
    public var roundAccuracy: [[Double]]
    /// Bytes of deltas and Fishers the clients sent (Float32, or what the upload hook reports).
    public var uploadedBytes: Int
    /// A regression sequence's mean absolute error per task after the last round (nil otherwise).
    public var meanAbsoluteError: [Double]?
}

/// Runs federated incremental learning in one process: every round, each client starts from
/// the global model, runs an `IncrementalJob` on its own share of the current task (with its own
/// replay buffer and the global EWC state as penalty), and its delta and Fisher are folded into a
/// `StreamingAggregator`; the server step closes the round, and each new task starts by
/// consolidating the global EWC state (a data change, as the coordinator's operator announces it).
public enum FederatedRunner {
    /// - Parameter upload: what a client's update becomes on its way to the server (compression,
    ///   clipping, noise: `client` is its index), returning the bytes it took; nil sends the delta
    ///   and Fisher as Float32.
    public static func run(
        tasks: [ContinualTask], configuration: FederatedConfiguration, progress: ((_ task: Int, _ round: Int, _ accuracy: [Double]) -> Void)? = nil,
        upload: ((_ client: Int, _ update: inout ClientUpdate) throws -> Int)? = nil
    ) throws -> FederatedResult {
        let spec = try tasks.modelSpec(hidden: configuration.hidden)
        if tasks.isRegression, configuration.replayPerClient > 0 {
            throw LearningError(.invalidConfiguration, "replay is \(configuration.replayPerClient) examples per client; the replay buffer does not keep regression targets yet, so a regression run needs replay 0")
        }
        let useEWC = configuration.ewcLambda > 0
        let plan = TrainingPlan(
            epochs: configuration.localEpochs, batchSize: configuration.batchSize, replayBatchSize: configuration.replayBatchSize,
            ewc: useEWC ? EWCConfiguration(lambda: configuration.ewcLambda) : nil, maskUnseenClasses: configuration.maskUnseenClasses)
        var initial = try Checkpoint.fresh(spec: spec, seed: configuration.seed, plan: plan)
        initial.centreRegressionOutput(on: tasks[0].train)
        var global = initial.parameters
        var clients = try (0..<configuration.clients).map { k in
            try Checkpoint.fresh(
                spec: spec, seed: configuration.seed &+ UInt64(k + 1), optimizer: .sgd(SGD(learningRate: configuration.learningRate)),
                replay: configuration.replay, plan: plan)
        }
        let layout = spec.parameterLayout
        var serverState = configuration.serverOptimizer.newState(parameterCount: global.count)
        var globalEWC = GlobalEWCState()
        var version: UInt64 = 0
        var roundID: UInt64 = 0
        var uploaded = 0
        let initialModel = try initial.model()
        let baseline = tasks.map { tasks.score(initialModel, on: $0) }
        var model = initialModel
        var matrix: [[Double]] = [], roundAccuracy: [[Double]] = []
        var boundsHistory: BoundsHistory?

        for (taskIndex, task) in tasks.enumerated() {
            let partition = configuration.dirichletAlpha.flatMap { alpha in tasks.isRegression ? nil : alpha }.map {
                Partition.dirichlet(labels: task.train.labels, clients: configuration.clients, alpha: $0, seed: configuration.seed &+ UInt64(taskIndex))
            } ?? Partition.iid(count: task.train.count, clients: configuration.clients, seed: configuration.seed &+ UInt64(taskIndex))
            let shares = partition.clients.map { task.train.subset($0) }
            for round in 0..<configuration.roundsPerTask {
                roundID += 1
                if configuration.consolidation.isDue(globalEWC, dataChanged: round == 0 && taskIndex > 0) {
                    globalEWC = try globalEWC.consolidated(anchor: global, policy: configuration.consolidation)
                }
                var aggregator = try StreamingAggregator(
                    policy: UpdatePolicy(layout: layout, roundID: roundID, baseVersion: version), rule: configuration.rule,
                    bounds: configuration.bounds, history: boundsHistory)
                var roundPlan = plan
                roundPlan.storeInReplay = round == configuration.roundsPerTask - 1
                // The global EWC state is the local penalty; an empty one still makes the job return
                // its Fisher without consolidating it locally.
                let penalty: EWCState? = useEWC
                    ? (globalEWC.isEmpty ? EWCState() : EWCState(terms: [EWCState.Term(fisher: globalEWC.fisher, anchor: globalEWC.anchor)], consolidations: globalEWC.consolidations))
                    : nil
                for k in 0..<configuration.clients where !shares[k].isEmpty {
                    var start = clients[k]
                    start.parameters = global
                    let result = try IncrementalJob(plan: roundPlan).run(from: start, data: shares[k], globalEWC: penalty)
                    clients[k] = result.candidate
                    var update = ClientUpdate(
                        clientID: "client-\(k)", roundID: roundID, baseVersion: version, layout: layout,
                        delta: result.delta, fisher: result.fisher, examples: shares[k].count)
                    uploaded += try upload?(k, &update) ?? 4 * (update.delta.count + (update.fisher?.count ?? 0))
                    try aggregator.fold(update)
                }
                let outcome = try aggregator.outcome(
                    parameters: global, optimizer: configuration.serverOptimizer, state: serverState, ewc: globalEWC,
                    consolidation: configuration.consolidation)
                boundsHistory = aggregator.closingHistory
                global = outcome.parameters
                serverState = outcome.optimizerState
                globalEWC = outcome.ewc
                version += 1
                model = try Sequential(spec: spec, parameters: global)
                let accuracy = tasks.map { tasks.score(model, on: $0) }
                roundAccuracy.append(accuracy)
                progress?(taskIndex, round, accuracy)
            }
            matrix.append(roundAccuracy.last!)
        }
        return FederatedResult(matrix: AccuracyMatrix(values: matrix, baseline: baseline), roundAccuracy: roundAccuracy, uploadedBytes: uploaded,
                               meanAbsoluteError: tasks.meanAbsoluteErrors(model))
    }
}
