import TributaryLearning

/// A seeded stand-in for the user's sensor CSV of issue 12: three activity classes, three
/// features, one of them (`pressure`) on a scale of ~1,000 while the others are near unit
/// scale. Standardised, the classes are well apart (a 3-16-3 MLP reaches ~97 %); fed raw, the
/// pressure column swamps the others: the fleet stayed at chance, and the edges' deltas
/// are now ~30 times the coordinator's delta-norm bound and refused.
enum RawScaleSensorData {
    static let header = "motion,pressure,temperature,activity"
    static let featureNames = ["motion", "pressure", "temperature"]
    static let classes = 3

    /// `count` rows (classes in turn), label in the last column.
    static func examples(count: Int, seed: UInt64) -> Dataset {
        var generator = SeededGenerator(seed: seed)
        var data = Dataset(featureCount: 3)
        let motion: [Float] = [0, 1.5, 0], pressure: [Float] = [980, 1000, 1040], temperature: [Float] = [0, 0, 1.5]
        for index in 0..<count {
            let c = index % classes
            data.append(features: [motion[c] + 0.5 * generator.nextGaussian(), pressure[c] + 10 * generator.nextGaussian(),
                                   temperature[c] + 0.5 * generator.nextGaussian()],
                        label: Int32(c))
        }
        return data
    }

    /// The rows as CSV with the header.
    static func csv(count: Int, seed: UInt64) -> String {
        let data = examples(count: count, seed: seed)
        var text = header + "\n"
        for index in 0..<data.count {
            text += data.row(index).map { "\($0)" }.joined(separator: ",") + ",\(data.labels[index])\n"
        }
        return text
    }
}
