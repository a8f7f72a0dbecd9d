import TributaryLearning

extension InitCommand {
    /// `--fit-data FILE.csv`: the preprocessing fitted to a sample of the fleet's raw data
    /// (each feature's mean and std, the header's names; the label is the last column).
    struct FittedSample {
        var path: String
        var examples: Int
        var preprocessing: Preprocessing

        init(path: String) throws {
            let options = CSVLoader.Options(label: .last)
            do {
                let data = try CSVLoader.load(path: path, options: options)
                self.path = path
                examples = data.count
                preprocessing = try .fitted(to: data, featureNames: try CSVLoader.featureNames(path: path, options: options))
            } catch let error as LearningError {
                throw LearningError(error.code, "--fit-data \(path): \(error.reason)")
            }
        }

        /// One line: what was fitted, from what.
        var summary: String {
            let names = preprocessing.featureNames.map { " (\($0.joined(separator: ", ")))" } ?? " (no header: unnamed)"
            return "preprocessing: standardiser of \(preprocessing.featureCount) features\(names) fitted to \(examples) examples of \(path)"
        }
    }
}
