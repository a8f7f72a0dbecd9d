import Foundation
import TributaryLearning
import TributaryModelWire
import TributaryWire

extension CoordinatorEngine {
    /// The global EWC state as the offer carries it (nil before any round consolidated one).
    static func wireEWC(_ live: GlobalModel, gamma: Float) throws -> TributaryWire.EWCState? {
        guard !live.ewc.isEmpty else { return nil }
        let layout = live.checkpoint.spec.parameterLayout
        return TributaryWire.EWCState(
            fisher: try LearningWire.parameterSet(live.ewc.fisher, layout: layout),
            anchor: try LearningWire.parameterSet(live.ewc.anchor, layout: layout), gamma: gamma)
    }

    /// The offer's plan: the live checkpoint's own plan, with the configuration's overrides.
    static func wirePlan(_ checkpoint: Checkpoint, overrides: CoordinatorConfiguration.PlanOverrides, deadline: Date) -> TributaryWire.TrainingPlan {
        let plan = checkpoint.plan
        return TributaryWire.TrainingPlan(
            epochs: UInt32(overrides.epochs ?? plan.epochs), batchSize: UInt32(overrides.batchSize ?? plan.batchSize),
            learningRate: overrides.learningRate ?? Double(plan.learningRate ?? checkpoint.optimizer.learningRate),
            ewcLambda: overrides.ewcLambda ?? Double(plan.ewc?.lambda ?? 0), fedProxMu: overrides.fedProxMu ?? Double(plan.proximalMu),
            deadlineUnixMilliseconds: Int64(deadline.timeIntervalSince1970 * 1000))
    }
}
