import TributaryCompression
import TributaryLearning
import TributaryModelWire
import TributaryNumerics
import TributaryWire

extension EdgeTrainer {
    /// ``answer(_:progress:)``, then the Update encoded as the offer's plan says
    /// (``encode(_:encoding:roundID:)``): what the agent sends.
    public func answerEncoded(_ offer: RoundOffer, progress: (@Sendable (JobProgress) -> Void)? = nil) throws -> Outcome {
        var outcome = try answer(offer, progress: progress)
        try encode(&outcome, encoding: offer.plan.encoding ?? .fp32, roundID: offer.roundID)
        return outcome
    }

    /// Replaces the Update's Float32 delta and Fisher by the plan's compressed payloads (the
    /// `TributaryCompression` formats over the parameters in layout order). Int8 rounds
    /// stochastically, from a generator seeded by the edge's seed and the round id, so the same
    /// round encodes to the same bytes. Top-k adds ``residual`` (a zero one when absent or of
    /// another model's size) and leaves what it did not send in `outcome.residual`, which the
    /// agent saves with the round.
    func encode(_ outcome: inout Outcome, encoding: UpdateEncoding, roundID: UInt64) throws {
        guard !encoding.isFP32 else { return }
        let layout = outcome.candidate.spec.parameterLayout
        var update = outcome.update
        var generator = SeededGenerator(seed: seed ^ (roundID &* 0x9E37_79B9_7F4A_7C15))
        if encoding.delta != .fp32 {
            let delta = try LearningWire.flatten(update.delta, layout: layout, field: "Update.delta")
            switch encoding.delta {
            case .fp32:
                break
            case .int8:
                let quantizer = try Int8Quantizer(blockSize: encoding.blockSize)
                update.compressedDelta = try quantizer.encode(delta, generator: &generator).serialized
            case .topk:
                var residual = residual.flatMap { $0.count == delta.count ? $0 : nil } ?? ErrorFeedbackResidual(count: delta.count)
                update.compressedDelta = try TopKSparsifier(fraction: encoding.topKFraction).encode(delta, residual: &residual).serialized
                outcome.residual = residual
            }
            update.delta = try ParameterSet([])
        }
        if encoding.fisher != .fp32, let fisherSet = update.fisher {
            let fisher = try LearningWire.flatten(fisherSet, layout: layout, field: "Update.fisher")
            switch encoding.fisher {
            case .fp32:
                break
            case .fp16:
                update.compressedFisher = try Float16Vector(encoding: fisher).serialized
            case .int8, .sqrtInt8:
                let quantizer = try Int8Quantizer(blockSize: encoding.blockSize, companding: encoding.fisher == .int8 ? .linear : .squareRoot)
                update.compressedFisher = try quantizer.encode(fisher, generator: &generator).serialized
            }
            update.fisher = nil
        }
        outcome.update = update
    }
}
