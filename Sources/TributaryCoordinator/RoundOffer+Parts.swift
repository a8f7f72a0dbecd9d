import Foundation
import TributaryAggregation
import TributaryLearning
import TributaryModelWire
import TributaryWire

extension CoordinatorInstance {
    /// The global EWC state as the offer carries it (nil before any round consolidated one).
    static func wireEWC(_ ewc: GlobalEWCState, layout: ParameterLayout, gamma: Float) throws -> EWCStateMessage? {
        guard !ewc.isEmpty else { return nil }
        return EWCStateMessage(
            fisher: try LearningWire.parameterSet(ewc.fisher, layout: layout),
            anchor: try LearningWire.parameterSet(ewc.anchor, layout: layout), gamma: gamma)
    }

    /// The offer's plan: the live checkpoint's own plan, with the configuration's overrides. Replay
    /// per step is the plan's replay batch (the batch size when unset) if the checkpoint keeps a
    /// replay buffer, else none. Clients skip the Fisher when nothing here uses it: FedAvg
    /// aggregation and λ = 0 (no global EWC penalty, so no global EWC state to consolidate).
    static func wirePlan(_ checkpoint: Checkpoint, overrides: CoordinatorConfiguration.PlanOverrides, rule: AggregationRule,
                         deadline: Date) -> TrainingPlanMessage {
        let plan = checkpoint.plan
        let lambda = overrides.ewcLambda ?? Double(plan.ewc?.lambda ?? 0)
        return TrainingPlanMessage(
            epochs: UInt32(overrides.epochs ?? plan.epochs), batchSize: UInt32(overrides.batchSize ?? plan.batchSize),
            learningRate: overrides.learningRate ?? Double(plan.learningRate ?? checkpoint.optimizer.learningRate),
            ewcLambda: lambda, fedProxMu: overrides.fedProxMu ?? Double(plan.proximalMu),
            replaySize: UInt32(overrides.replaySize ?? (checkpoint.replay.configuration.capacity > 0 ? plan.replayBatchSize ?? plan.batchSize : 0)),
            deadlineUnixMilliseconds: Int64(deadline.timeIntervalSince1970 * 1000),
            skipFisher: !rule.needsFisher && lambda == 0, maskUnseenClasses: overrides.maskUnseenClasses ?? plan.maskUnseenClasses)
    }
}
