/// What a model expects of a raw record and how a raw record becomes the model's input: the
/// feature schema (how many features, and their names when the model was fitted to a CSV with
/// a header) and an optional standardiser x' = (x − mean) / std per feature.
///
/// It travels with the model — in the checkpoint, in every RoundOffer and ModelRelease, in the
/// registry's versions — so that training, evaluation and serving apply the same transformation
/// to raw data. Raw data stays raw where it is stored; a model's own state that holds inputs the
/// job saw (the replay buffer, the Fisher measured on them) holds them already transformed.
/// Identity (no names, no standardiser) is what a checkpoint without preprocessing means.
public struct Preprocessing: Sendable, Codable, Equatable {
    public var featureCount: Int
    /// The feature columns' names, in order (from a CSV header); nil when unnamed.
    public var featureNames: [String]?
    /// nil: features go to the model as they are.
    public var standardizer: Standardizer?

    /// - Throws: `LearningError.invalidData` naming the part that does not fit `featureCount`.
    public init(featureCount: Int, featureNames: [String]? = nil, standardizer: Standardizer? = nil) throws {
        self.featureCount = featureCount
        self.featureNames = featureNames
        self.standardizer = standardizer
        try validate()
    }

    /// Raw features as they are, `featureCount` of them, unnamed.
    public static func identity(featureCount: Int) -> Preprocessing {
        Preprocessing(unchecked: featureCount)
    }

    private init(unchecked featureCount: Int) {
        self.featureCount = featureCount
    }

    /// The standardiser fitted to `data` (mean and std of each feature), with `featureNames`.
    public static func fitted(to data: Dataset, featureNames: [String]? = nil) throws -> Preprocessing {
        guard !data.isEmpty else { throw LearningError(.emptyData, "cannot fit a standardiser to a data set with no examples") }
        return try Preprocessing(featureCount: data.featureCount, featureNames: featureNames, standardizer: Standardizer(fitting: data))
    }

    /// No names and no standardiser: the model takes the raw features.
    public var isIdentity: Bool { featureNames == nil && standardizer == nil }

    /// Checks the parts agree: a positive count, one unique name per feature, one finite mean
    /// and one finite positive std per feature.
    public func validate() throws {
        guard featureCount > 0 else { throw LearningError(.invalidData, "preprocessing: feature count is \(featureCount); must be > 0") }
        if let featureNames {
            guard featureNames.count == featureCount else {
                throw LearningError(.invalidData, "preprocessing: \(featureNames.count) feature names for \(featureCount) features")
            }
            guard Set(featureNames).count == featureNames.count else {
                throw LearningError(.invalidData, "preprocessing: feature names \(featureNames) are not unique")
            }
        }
        if let standardizer {
            guard standardizer.mean.count == featureCount, standardizer.std.count == featureCount else {
                throw LearningError(.invalidData,
                                    "preprocessing: standardiser has \(standardizer.mean.count) means and \(standardizer.std.count) stds for \(featureCount) features")
            }
            if let bad = standardizer.mean.firstIndex(where: { !$0.isFinite }) {
                throw LearningError(.invalidData, "preprocessing: mean of feature \(bad) is \(standardizer.mean[bad]); must be finite")
            }
            if let bad = standardizer.std.firstIndex(where: { !($0.isFinite && $0 > 0) }) {
                throw LearningError(.invalidData, "preprocessing: std of feature \(bad) is \(standardizer.std[bad]); must be finite and > 0")
            }
        }
    }

    /// Refuses a record (or a file of them) that is not what the model was fitted to: another
    /// feature count, or other names when both sides have names. `source` names the record.
    public func check(featureCount count: Int, names: [String]? = nil, source: String) throws {
        guard count == featureCount else {
            throw LearningError(.shapeMismatch, "\(source): \(count) features; the model expects \(featureCount)\(namesText(featureNames))")
        }
        if let expected = featureNames, let names, names != expected {
            throw LearningError(.shapeMismatch,
                                "\(source): features named \(names.joined(separator: ",")); the model expects \(expected.joined(separator: ","))")
        }
    }

    /// One raw feature row as the model's input.
    public func apply(row: some Collection<Float>) throws -> [Float] {
        try check(featureCount: row.count, source: "record")
        guard let standardizer else { return Array(row) }
        var output: [Float] = []
        output.reserveCapacity(row.count)
        standardizer.append(row, to: &output)
        return output
    }

    /// Raw data as the model's input (the same data when there is no standardiser).
    public func apply(_ data: Dataset, source: String = "data") throws -> Dataset {
        try check(featureCount: data.featureCount, source: source)
        return standardizer?.apply(data) ?? data
    }

    private func namesText(_ names: [String]?) -> String {
        names.map { " (\($0.joined(separator: ",")))" } ?? ""
    }
}
