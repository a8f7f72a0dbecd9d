import TributaryLearning

extension DataOptions {
    /// A CSV of raw examples as `checkpoint`'s model takes them: checked against the model
    /// (width, labels, and the header's names when the model has names), then fed through the
    /// model's preprocessing (`tributary init --fit-data`; identity for other checkpoints).
    func load(_ path: String, classCount: Int?, for checkpoint: Checkpoint) throws -> Dataset {
        let options = try csvOptions(classCount: classCount, regression: checkpoint.spec.isRegression)
        let raw = try CSVLoader.load(path: path, options: options)
        try raw.validate(against: checkpoint.spec)
        let preprocessing = checkpoint.preprocessing
        if preprocessing.featureNames != nil {
            try preprocessing.check(featureCount: raw.featureCount, names: try CSVLoader.featureNames(path: path, options: options), source: path)
        }
        return try preprocessing.apply(raw, source: path)
    }
}
