import TributaryNumerics

/// Realistic sample messages, deterministic for a seed: for foreign-decoder checks
/// (scripts/python-decode-check.sh), fuzz corpora and benchmarks.
public enum WireSamples {
    /// A framed ``Update`` (4-byte big-endian length + Envelope) for a small MLP
    /// (`dense1` 64→32, `dense2` 32→10) with delta, Fisher and metrics.
    public static func updateFrame(seed: UInt64) -> [UInt8] {
        // The sample is valid by construction and far below the frame limit.
        try! FrameCodec.encode(.update(update(seed: seed)))
    }

    /// The ``Update`` inside ``updateFrame(seed:)``.
    public static func update(seed: UInt64) -> Update {
        var rng = SplitMix64(seed: seed)
        let layout: [(String, [Int])] = [
            ("dense1.weight", [32, 64]), ("dense1.bias", [32]),
            ("dense2.weight", [10, 32]), ("dense2.bias", [10]),
        ]
        let delta = try! ParameterSet(layout.map { name, shape in
            try! NamedTensor(name: name, tensor: tensor(shape: shape, scale: 0.01, using: &rng))
        })
        let fisher = try! ParameterSet(layout.map { name, shape in
            try! NamedTensor(name: name, tensor: tensor(shape: shape, scale: 0.001, nonNegative: true, using: &rng))
        })
        return Update(
            roundID: 1 + rng.next() % 1000, baseModelVersion: 1 + rng.next() % 100, numExamples: 32 + rng.next() % 512,
            delta: delta, fisher: fisher,
            metrics: ["train.loss": 0.25 + Double(rng.next() % 1000) / 4000, "train.accuracy": 0.9, "train.steps": 120])
    }

    /// A tensor of the given shape with seeded values in [-scale, scale) (or [0, scale)).
    public static func tensor(shape: [Int], scale: Float, nonNegative: Bool = false,
                              using rng: inout some RandomNumberGenerator) -> Tensor {
        let count = shape.reduce(1, *)
        let range: Range<Float> = nonNegative ? 0..<scale : -scale..<scale
        let scalars = (0..<count).map { _ in Float.random(in: range, using: &rng) }
        return Tensor(shape: shape, scalars: scalars)
    }
}
