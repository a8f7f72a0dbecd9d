import TributaryLearning
import TributaryONNX

/// Seeded models and data for the export tests.
enum Fixtures {
    /// `count` rows of `width` features: N(0, 1), except column 1, which is on a scale of ~1,000
    /// (mean 1,000, std 150), the raw-scale case of issue 12; labels cycle through `classes`.
    static func rawData(count: Int, width: Int, classes: Int = 3, seed: UInt64) -> Dataset {
        var generator = SeededGenerator(seed: seed)
        var data = Dataset(featureCount: width)
        for index in 0..<count {
            let row = (0..<width).map { column in
                column == 1 ? 1000 + 150 * generator.nextGaussian() : generator.nextGaussian()
            }
            data.append(features: row, label: Int32(index % classes))
        }
        return data
    }

    /// A seeded model of `spec`, trained for two epochs on standardised data (so its weights are
    /// not only the initial draw) when `train` is true.
    static func model(_ spec: ModelSpec, seed: UInt64, train: Bool = true, standardizer: Standardizer? = nil, data: Dataset? = nil) throws -> Sequential {
        var checkpoint = try Checkpoint.fresh(spec: spec, seed: seed)
        if train, spec.loss == .softmaxCrossEntropy, let data {
            let plan = TrainingPlan(epochs: 2, batchSize: 16)
            checkpoint = try IncrementalJob(plan: plan).run(from: checkpoint, data: standardizer?.apply(data) ?? data).candidate
        }
        return try checkpoint.model()
    }
}
