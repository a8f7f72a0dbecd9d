import TributaryCompression
import TributaryNumerics
import TributaryWire

/// Encodes an Update's Float32 delta and Fisher as an ``UpdateEncoding`` says: the
/// `TributaryCompression` formats over the ParameterSets' scalars (the model's parameters in
/// layout order, as the Update was built), into `compressedDelta` / `compressedFisher`, the
/// ParameterSets emptied. Int8 rounds stochastically from `generator`; top-k adds `residual` (a
/// zero one when nil or of another size) and leaves there what it did not send.
public struct UpdateEncoder: Sendable {
    public var encoding: UpdateEncoding

    public init(encoding: UpdateEncoding) {
        self.encoding = encoding
    }

    /// The generator of a round's stochastic rounding: from the edge's seed and the round id, so
    /// the same round encodes to the same bytes.
    public static func generator(seed: UInt64, roundID: UInt64) -> SeededGenerator {
        SeededGenerator(seed: seed ^ (roundID &* 0x9E37_79B9_7F4A_7C15))
    }

    public func encode(_ update: inout Update, generator: inout SeededGenerator, residual: inout ErrorFeedbackResidual?) throws {
        if encoding.delta != .fp32 {
            let delta = update.delta.scalars
            switch encoding.delta {
            case .fp32:
                break
            case .int8:
                update.compressedDelta = try Int8Quantizer(blockSize: encoding.blockSize).encode(delta, generator: &generator).serialized
            case .topk:
                var kept = residual.flatMap { $0.count == delta.count ? $0 : nil } ?? ErrorFeedbackResidual(count: delta.count)
                update.compressedDelta = try TopKSparsifier(fraction: encoding.topKFraction).encode(delta, residual: &kept).serialized
                residual = kept
            }
            update.delta = try ParameterSet([])
        }
        if encoding.fisher != .fp32, let fisher = update.fisher?.scalars {
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
    }
}
