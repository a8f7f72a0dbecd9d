import ArgumentParser
import TributaryWire

extension SimulationOptions {
    /// `--compress fp32|int8|topk[:FRACTION]` and `--compress-fisher fp32|fp16|int8|sqrt_int8`:
    /// the coordinator's `compression.*` for the simulated fleet.
    static func compression(delta: String, fisher: String) throws -> UpdateEncoding {
        var encoding = UpdateEncoding()
        let parts = delta.split(separator: ":", maxSplits: 1).map(String.init)
        switch (parts.first ?? "", parts.count) {
        case ("fp32", 1): encoding.delta = .fp32
        case ("int8", 1): encoding.delta = .int8
        case ("topk", _):
            encoding.delta = .topk
            if parts.count == 2 {
                guard let fraction = Double(parts[1]), fraction > 0, fraction <= 1 else {
                    throw ValidationError("--compress is '\(delta)'; the top-k fraction '\(parts[1])' must be a number in (0, 1], e.g. topk:0.1")
                }
                encoding.topKFraction = fraction
            }
        default:
            throw ValidationError("--compress is '\(delta)'; use fp32, int8 or topk[:FRACTION] (e.g. topk:0.1)")
        }
        guard let codec = UpdateEncoding.FisherCodec(rawValue: fisher) else {
            throw ValidationError("--compress-fisher is '\(fisher)'; use \(UpdateEncoding.FisherCodec.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        encoding.fisher = codec
        return encoding
    }
}
