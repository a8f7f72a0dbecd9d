import Foundation
import ArgumentParser
import TributaryLearning

/// Training-plan settings; each one left out keeps the value the checkpoint (or the default) has.
struct PlanOptions: ParsableArguments {
    @Option(help: "Epochs over the new data.") var epochs: Int?
    @Option(help: "Minibatch size.") var batchSize: Int?
    @Option(help: "Replay examples mixed into each minibatch (default: the batch size).") var replayBatchSize: Int?
    @Option(help: "Learning rate for this job.") var lr: Float?
    @Option(help: "EWC strength λ (0 turns EWC off).") var ewcLambda: Float?
    @Option(help: "EWC mode: online or separate.") var ewcMode: String?
    @Option(help: "Online EWC decay γ in F ← γF + F_new.") var ewcGamma: Float?
    @Option(help: "Fisher estimator: empirical or per-batch.") var fisher: String?
    @Option(help: "FedProx proximal strength μ.") var proxMu: Float?
    @Option(help: "Clip the gradient's global L2 norm to this value.") var clipNorm: Float?
    @Option(help: "Train softmax only over these classes (comma-separated), plus replayed ones.") var classes: String?
    @Option(help: "Freeze layers (comma-separated names, e.g. dense1).") var freeze: String?

    /// `base` with every given option applied.
    func apply(to base: TrainingPlan) throws -> TrainingPlan {
        var plan = base
        if let epochs { plan.epochs = epochs }
        if let batchSize { plan.batchSize = batchSize }
        if let replayBatchSize { plan.replayBatchSize = replayBatchSize }
        if let lr { plan.learningRate = lr }
        if ewcLambda != nil || ewcMode != nil || ewcGamma != nil || fisher != nil {
            var ewc = plan.ewc ?? EWCConfiguration(lambda: 0)
            if let ewcLambda { ewc.lambda = ewcLambda }
            let gamma: Float
            if case .online(let current) = ewc.mode { gamma = ewcGamma ?? current } else { gamma = ewcGamma ?? 1 }
            switch ewcMode {
            case nil: if case .online = ewc.mode { ewc.mode = .online(gamma: gamma) }
            case "online": ewc.mode = .online(gamma: gamma)
            case "separate": ewc.mode = .separate
            case let other?: throw ValidationError("--ewc-mode must be online or separate, got '\(other)'")
            }
            switch fisher {
            case nil: break
            case "empirical": ewc.estimator = .empirical
            case "per-batch": ewc.estimator = .perBatch(batchSize: plan.batchSize)
            case let other?: throw ValidationError("--fisher must be empirical or per-batch, got '\(other)'")
            }
            plan.ewc = ewc.lambda > 0 ? ewc : nil
        }
        if let proxMu { plan.proximalMu = proxMu }
        if let clipNorm { plan.gradientClipNorm = clipNorm }
        if let classes {
            plan.activeClasses = try classes.split(separator: ",").map {
                guard let value = Int32($0.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("--classes: '\($0)' is not a class number")
                }
                return value
            }
        }
        if let freeze { plan.frozenLayers = freeze.split(separator: ",").map { String($0) } }
        return plan
    }
}
