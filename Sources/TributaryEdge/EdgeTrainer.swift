import Foundation
import TributaryLearning
import TributaryModelWire
import TributaryWire

/// Answers a RoundOffer: runs `IncrementalJob` from the offered model on the local data and
/// builds the Update (Δ = θ_local − θ_global, this job's diagonal Fisher, n, metrics). Only
/// the delta, the Fisher and aggregate metrics leave; examples never do.
public struct EdgeTrainer: Sendable {
    /// The edge's own checkpoint (spec, optimizer, replay), when it has one.
    public var local: Checkpoint?
    public var data: Dataset
    public var seed: UInt64

    public init(local: Checkpoint?, data: Dataset, seed: UInt64 = 1) {
        self.local = local
        self.data = data
        self.seed = seed
    }

    public struct Outcome: Sendable {
        public var update: Update
        public var candidate: Checkpoint
        public var report: JobReport
    }

    public func answer(_ offer: RoundOffer) throws -> Outcome {
        guard case .full(let global) = offer.model else {
            throw LearningError(.invalidConfiguration,
                                "RoundOffer \(offer.roundID) carries a delta model; this edge holds no base version to apply it to")
        }
        var parent: Checkpoint
        let offered = try offer.architecture.map { try LearningWire.spec($0) }
        if var local, offered == nil || offered == local.spec,
            let values = try? LearningWire.flatten(global, layout: local.spec.parameterLayout, field: "RoundOffer.model")
        {
            local.parameters = values
            parent = local
        } else {
            // The offer's architecture; from an older coordinator that sends none, an MLP read
            // from the tensor shapes.
            parent = try Checkpoint.fresh(spec: try offered ?? LearningWire.inferMLP(global), seed: seed)
            parent.parameters = try LearningWire.flatten(global, layout: parent.spec.parameterLayout, field: "RoundOffer.model")
        }
        let layout = parent.spec.parameterLayout
        let theta = parent.parameters
        let globalEWC = try offer.ewc.map { try LearningWire.ewc($0, layout: layout) }
        let result = try IncrementalJob(plan: LearningWire.plan(offer.plan)).run(from: parent, data: data, globalEWC: globalEWC)
        let candidate = result.candidate
        let delta = zip(candidate.parameters, theta).map { $0 - $1 }
        let fisher = try result.fisher.map { try LearningWire.parameterSet($0, layout: layout) }
        let report = result.report
        var metrics: [String: Double] = [
            "train.examples": Double(report.examples),
            "train.steps": Double(report.steps),
            "train.accuracy.before": report.newDataBefore.accuracy,
            "train.accuracy": report.newDataAfter.accuracy,
            "train.loss.before": report.newDataBefore.loss,
            "train.loss": report.newDataAfter.loss,
            "train.seconds": report.trainingSeconds,
            "delta.norm": report.parameterDeltaNorm,
        ]
        if let last = report.epochLosses.last { metrics["train.epoch_loss"] = last }
        let update = Update(roundID: offer.roundID, baseModelVersion: offer.baseModelVersion, numExamples: UInt64(data.count),
                            delta: try LearningWire.parameterSet(delta, layout: layout), fisher: fisher, metrics: metrics)
        return Outcome(update: update, candidate: candidate, report: report)
    }
}
