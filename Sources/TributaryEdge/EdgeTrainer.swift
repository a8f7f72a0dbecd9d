import Foundation
import TributaryCompression
import TributaryLearning
import TributaryModelWire
import TributaryWire

/// Answers a RoundOffer: runs `IncrementalJob` from the offered model (under the offer's global
/// EWC state and plan, with the edge's local replay) on the local data and builds the Update
/// (Δ = θ_local − θ_global, this job's diagonal Fisher, n, aggregate metrics). Only the delta,
/// the Fisher and aggregate metrics leave; examples never do.
///
/// `data` and `retired` are raw, as the store holds them; the offered model's preprocessing
/// (`Checkpoint.preprocessing`) turns them into the model's input before the job sees them, so
/// the replay buffer holds, and the Fisher describes, standardised inputs.
public struct EdgeTrainer: Sendable {
    /// The edge's own checkpoint (spec, optimizer, replay, RNG), when it has one.
    public var local: Checkpoint?
    /// The round's training data (the store's window).
    public var data: Dataset
    /// Examples trained in earlier rounds that have left the window: they join the replay buffer
    /// before this round trains, and `data` does not (nil: a one-off job, which stores `data`
    /// after training as `IncrementalJob` does).
    public var retired: Dataset?
    public var seed: UInt64
    /// The replay buffer of a fresh checkpoint.
    public var replay: ReplayConfiguration
    /// Top-k's error-feedback residual from earlier rounds (`EdgeTrainer+Encoding`); nil: none yet.
    public var residual: ErrorFeedbackResidual? = nil

    public init(local: Checkpoint?, data: Dataset, retired: Dataset? = nil, seed: UInt64 = 1,
                replay: ReplayConfiguration = .disabled) {
        self.local = local
        self.data = data
        self.retired = retired
        self.seed = seed
        self.replay = replay
    }

    public struct Outcome: Sendable {
        public var update: Update
        /// The job's candidate (θ_local).
        public var candidate: Checkpoint
        /// What the edge keeps: the offered global parameters at the offer's version, with the
        /// job's optimizer state, replay buffer and RNG.
        public var keep: Checkpoint
        public var report: JobReport
        /// Top-k's residual after this round's Update, saved with the round; nil: unchanged.
        public var residual: ErrorFeedbackResidual? = nil
    }

    /// - Parameter progress: called during training (tests pause the job here).
    public func answer(_ offer: RoundOffer, progress: (@Sendable (JobProgress) -> Void)? = nil) throws -> Outcome {
        guard var parent = try ModelAdoption.checkpoint(
            version: offer.baseModelVersion, payload: offer.model, architecture: offer.architecture,
            preprocessing: offer.preprocessing, held: local,
            seed: seed, replay: replay, field: "RoundOffer.model")
        else {
            throw LearningError(.invalidConfiguration,
                                "RoundOffer \(offer.roundID) carries a delta against version \(Self.deltaBase(offer.model)); this edge holds version \(ModelAdoption.version(of: local))")
        }
        let layout = parent.spec.parameterLayout
        let theta = parent.parameters
        // The fleet's EWC state is the penalty; before the first consolidation an empty one, so the
        // job still returns its Fisher without folding it into a local state (the coordinator does).
        let globalEWC = try offer.ewc.map { try LearningWire.ewc($0, layout: layout) } ?? (offer.plan.ewcLambda > 0 ? EWCState() : nil)
        var plan = LearningWire.plan(offer.plan)
        // The offer's replay_size examples from the local buffer join each step (0: none, as the contract says).
        plan.replayBatchSize = Int(offer.plan.replaySize)
        // The buffer holds the past: what left the window joins it now; the window itself does not.
        plan.storeInReplay = retired == nil
        // The store keeps raw records; the job, its replay buffer and its Fisher see the model's input.
        let preprocessing = parent.preprocessing
        if let retired { parent.storeInReplay(try preprocessing.apply(retired, source: "the examples retired from the window")) }
        let data = try preprocessing.apply(self.data, source: "the round's training window")
        let result = try IncrementalJob(plan: plan).run(from: parent, data: data, globalEWC: globalEWC, progress: progress)
        let candidate = result.candidate
        var keep = candidate
        keep.parameters = theta
        // A privacy plan clips (and in distributed mode noises) what leaves, before the Update is built.
        let (delta, flatFisher) = try offer.plan.privacy.map {
            try UpdatePrivacy(plan: $0).apply(delta: result.delta, fisher: result.fisher, seed: seed, roundID: offer.roundID)
        } ?? (result.delta, result.fisher)
        let fisher = try flatFisher.map { try LearningWire.parameterSet($0, layout: layout) }
        let report = result.report
        let update = Update(roundID: offer.roundID, baseModelVersion: offer.baseModelVersion, numExamples: UInt64(data.count),
                            delta: try LearningWire.parameterSet(delta, layout: layout), fisher: fisher,
                            metrics: Self.metrics(report, data: data))
        return Outcome(update: update, candidate: candidate, keep: keep, report: report)
    }

    /// Aggregate metric names only: never a per-example value.
    public static let metricNames: Set<String> = [
        "train.examples", "train.steps", "train.replayed", "train.accuracy.before", "train.accuracy", "train.loss.before",
        "train.loss", "train.seconds", "train.epoch_loss", "delta.norm",
        // Added by the edge instance: the served model's live accuracy and the feedback it counts.
        "live.accuracy", "live.examples",
        "train.rmse.before", "train.rmse", "train.mae.before", "train.mae", "train.rmse.constant",
    ]

    /// A regression model's also carry its RMSE and MAE before and after, and the RMSE of
    /// predicting the round's data's mean (the coordinator's floor).
    static func metrics(_ report: JobReport, data: Dataset? = nil) -> [String: Double] {
        var metrics: [String: Double] = [
            "train.examples": Double(report.examples),
            "train.steps": Double(report.steps),
            "train.replayed": Double(report.replayedExamples),
            "train.accuracy.before": report.newDataBefore.accuracy,
            "train.accuracy": report.newDataAfter.accuracy,
            "train.loss.before": report.newDataBefore.loss,
            "train.loss": report.newDataAfter.loss,
            "train.seconds": report.trainingSeconds,
            "delta.norm": report.parameterDeltaNorm,
        ]
        if let last = report.epochLosses.last { metrics["train.epoch_loss"] = last }
        let before = report.newDataBefore, after = report.newDataAfter
        if let rmse = after.rootMeanSquaredError, let previous = before.rootMeanSquaredError {
            metrics["train.rmse.before"] = previous
            metrics["train.rmse"] = rmse
            metrics["train.mae.before"] = before.meanAbsoluteError
            metrics["train.mae"] = after.meanAbsoluteError
            if let data { metrics["train.rmse.constant"] = Evaluation.constantPredictorRMSE(on: data) }
        }
        return metrics
    }

    private static func deltaBase(_ payload: ModelPayload) -> UInt64 {
        if case .delta(let base, _) = payload { return base }
        return 0
    }
}

extension Checkpoint {
    /// Offers `data` to the replay buffer, drawing from the checkpoint's RNG.
    mutating func storeInReplay(_ data: Dataset) {
        guard !data.isEmpty else { return }
        var replay = self.replay, generator = self.generator
        replay.insert(data, generator: &generator)
        self.replay = replay
        self.generator = generator
    }
}
