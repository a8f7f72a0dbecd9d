import TributaryConfig
import TributaryWire

extension CoordinatorConfiguration {
    /// `compression`: how clients that announce the `compression` feature encode their Updates
    /// (others send Float32): `delta` fp32 | int8 | topk (default fp32), `block_size` (int8
    /// blocks, default 256), `topk_fraction` (default 0.1), `fisher` fp32 | fp16 | int8 |
    /// sqrt_int8 (default fp32). Every key is read whatever the codecs, so none is "unknown".
    static func readCompression(_ section: ConfigReader) throws -> UpdateEncoding {
        let delta = try section.choice("delta", from: UpdateEncoding.DeltaCodec.allCases.map(\.rawValue), default: "fp32")
        let fisher = try section.choice("fisher", from: UpdateEncoding.FisherCodec.allCases.map(\.rawValue), default: "fp32")
        let encoding = UpdateEncoding(
            delta: UpdateEncoding.DeltaCodec(rawValue: delta) ?? .fp32, fisher: UpdateEncoding.FisherCodec(rawValue: fisher) ?? .fp32,
            blockSize: try section.int("block_size", default: UpdateEncoding.defaultBlockSize, in: 1...UpdateEncoding.maxBlockSize),
            topKFraction: try section.double("topk_fraction", default: 0.1, in: 1e-6...1))
        return encoding
    }
}
