import TributaryCompression
import TributaryLearning
import TributaryModelWire
import TributaryWire

extension EdgeTrainer {
    /// ``answer(_:progress:)``, then the Update encoded as the offer's plan says
    /// (``encode(_:encoding:roundID:)``): what the agent sends.
    public func answerEncoded(_ offer: RoundOffer, progress: (@Sendable (JobProgress) -> Void)? = nil) throws -> Outcome {
        var outcome = try answer(offer, progress: progress)
        try encode(&outcome, encoding: offer.plan.encoding ?? .fp32, roundID: offer.roundID)
        return outcome
    }

    /// Replaces the Update's Float32 delta and Fisher by the plan's compressed payloads
    /// (``UpdateEncoder``). Int8 rounds stochastically, from a generator seeded by the edge's seed
    /// and the round id. Top-k adds ``residual`` and leaves what it did not send in
    /// `outcome.residual`, which the agent saves with the round.
    func encode(_ outcome: inout Outcome, encoding: UpdateEncoding, roundID: UInt64) throws {
        guard !encoding.isFP32 else { return }
        let layout = outcome.candidate.spec.parameterLayout
        // The Update's tensors are the model's, in layout order: checked here, so the flat vectors are too.
        _ = try LearningWire.flatten(outcome.update.delta, layout: layout, field: "Update.delta")
        if let fisher = outcome.update.fisher { _ = try LearningWire.flatten(fisher, layout: layout, field: "Update.fisher") }
        var generator = UpdateEncoder.generator(seed: seed, roundID: roundID)
        // A residual belongs to the model it was left by: an offer of another architecture starts from zero.
        let sameModel = local == nil || local?.spec == outcome.candidate.spec
        var residual = sameModel ? self.residual : nil
        try UpdateEncoder(encoding: encoding).encode(&outcome.update, generator: &generator, residual: &residual)
        if encoding.delta == .topk { outcome.residual = residual }
    }
}
