import TributaryAggregation
import TributaryLearning

/// One registry version as the coordinator uses it: the checkpoint (spec, parameters, plan), the
/// fleet's global online-EWC state and the server optimizer's state for that version.
///
/// All three travel in the version's one checkpoint blob, so a version is never separated from
/// the EWC state it must be offered with: the global EWC state is the checkpoint's `ewc` (one
/// term: F_g and the anchor θ*), the server optimizer's m and v are the optimizer-state slots
/// `server.momentum` / `server.second_moment`, and its step and the version number are metadata.
/// An exported version is therefore also a valid starting checkpoint whose EWC penalty is the
/// fleet's memory.
public struct GlobalModel: Sendable {
    public var version: UInt64
    public var checkpoint: Checkpoint
    public var ewc: GlobalEWCState
    public var serverState: ServerOptimizerState

    static let momentumSlot = "server.momentum"
    static let secondMomentSlot = "server.second_moment"
    static let stepKey = "server.step"
    /// The newest round's mean Fisher, not consolidated yet, and the rounds since the last consolidation.
    static let pendingFisherSlot = "ewc.pending_fisher"
    static let ewcAgeKey = "ewc.age"
    static let versionKey = "model.version"

    public init(version: UInt64, checkpoint: Checkpoint, ewc: GlobalEWCState, serverState: ServerOptimizerState) {
        self.version = version
        self.checkpoint = checkpoint
        self.ewc = ewc
        self.serverState = serverState
    }

    /// Reads the EWC and server state a stored checkpoint carries (empty states for a checkpoint
    /// from `tributary init`, whose EWC state is empty and which has no server slots).
    public init(version: UInt64, stored checkpoint: Checkpoint) throws {
        let term = checkpoint.ewc.terms.last
        let slots = checkpoint.optimizerState.slots
        var ewc = term.map { GlobalEWCState(fisher: $0.fisher, anchor: $0.anchor, consolidations: checkpoint.ewc.consolidations) } ?? GlobalEWCState()
        ewc.pending = slots[Self.pendingFisherSlot] ?? []
        ewc.age = Int(checkpoint.metadata[Self.ewcAgeKey] ?? "") ?? 0
        let step = Int(checkpoint.metadata[Self.stepKey] ?? "") ?? 0
        self.init(
            version: version, checkpoint: checkpoint, ewc: ewc,
            serverState: ServerOptimizerState(step: step, momentum: slots[Self.momentumSlot] ?? [], secondMoment: slots[Self.secondMomentSlot] ?? []))
    }

    public var parameters: [Float] { checkpoint.parameters }

    /// The checkpoint to store for this version: parameters, EWC and server state folded in.
    public func storedCheckpoint() throws -> Checkpoint {
        var stored = checkpoint
        stored.ewc = ewc.isEmpty ? EWCState() : EWCState(terms: [.init(fisher: ewc.fisher, anchor: ewc.anchor)], consolidations: ewc.consolidations)
        stored.optimizerState.slots[Self.momentumSlot] = serverState.momentum.isEmpty ? nil : serverState.momentum
        stored.optimizerState.slots[Self.secondMomentSlot] = serverState.secondMoment.isEmpty ? nil : serverState.secondMoment
        stored.optimizerState.slots[Self.pendingFisherSlot] = ewc.pending.isEmpty ? nil : ewc.pending
        stored.metadata[Self.ewcAgeKey] = "\(ewc.age)"
        stored.metadata[Self.stepKey] = "\(serverState.step)"
        stored.metadata[Self.versionKey] = "\(version)"
        try stored.validate()
        return stored
    }

    /// The next version's model from a round's outcome (same spec and plan, new θ, EWC and server state).
    public func next(version: UInt64, outcome: RoundOutcome) -> GlobalModel {
        var checkpoint = self.checkpoint
        checkpoint.parameters = outcome.parameters
        checkpoint.lineage.generation += 1
        checkpoint.lineage.examplesSeen += Int64(outcome.aggregate.totalExamples)
        return GlobalModel(version: version, checkpoint: checkpoint, ewc: outcome.ewc, serverState: outcome.optimizerState)
    }
}
