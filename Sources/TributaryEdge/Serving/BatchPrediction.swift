import Foundation
import TributaryFeedback
import TributaryLearning

/// Offline batch prediction (`tributary-edge predict`): the edge's checkpoint served to the rows
/// of a CSV file, without the agent, without logging (the rows are not served predictions an
/// app can give feedback on).
///
/// The file: comma-separated numbers, one example per line (LF or CRLF), an optional header
/// row (a first row with a field that is not a number). Each row has exactly the model's
/// feature count of columns, or one more: then the last column is a label, which is not used
/// for predicting and is echoed in the output so the caller can compare.
public struct BatchPrediction: Sendable {
    public let model: ServedModel

    public init(model: ServedModel) {
        self.model = model
    }

    /// The model in the edge checkpoint at `path`.
    /// - Throws: `EdgeError` `state` when there is no checkpoint (the edge has not held a model yet) or it cannot be read.
    public init(checkpointAt path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw EdgeError(.state, "no model to predict with: \(path) does not exist (the edge has not adopted or trained a model yet)")
        }
        do {
            model = try ServedModel(checkpoint: try CheckpointStore.load(from: path).checkpoint)
        } catch {
            throw EdgeError(.state, "edge checkpoint \(path) cannot be loaded (\(error))")
        }
    }

    public struct Row: Sendable, Equatable {
        /// 1-based line in the file.
        public var line: Int
        public var features: [Float]
        /// The last column, when the file has one more column than the model's features.
        public var label: String?
    }

    /// The rows of the CSV text, or an error naming the file, the line and what was wrong
    /// (a wrong column count names both counts).
    public func rows(csv text: String, file: String) throws -> [Row] {
        let featureCount = model.featureCount
        var rows: [Row] = []
        // "\r\n" is one Character in Swift, and a newline like "\n".
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let numbers = fields.map { Float($0) }
            if rows.isEmpty, index == 0, numbers.contains(where: { $0 == nil }) { continue }  // the header
            guard fields.count == featureCount || fields.count == featureCount + 1 else {
                throw EdgeError(.invalidInput, "\(file) line \(index + 1): \(fields.count) columns; the model (version \(model.version)) takes \(featureCount) features (\(featureCount) columns, or \(featureCount + 1) with a label last)")
            }
            if let first = rows.first, (first.label != nil) != (fields.count > featureCount) {
                throw EdgeError(.invalidInput, "\(file) line \(index + 1): \(fields.count) columns; line \(first.line) has \(featureCount + (first.label == nil ? 0 : 1)) (every row with a label, or none)")
            }
            var features: [Float] = []
            for column in 0..<featureCount {
                guard let value = numbers[column], value.isFinite else {
                    throw EdgeError(.invalidInput, "\(file) line \(index + 1) column \(column + 1): '\(fields[column])' is not a finite number")
                }
                features.append(value)
            }
            rows.append(Row(line: index + 1, features: features, label: fields.count > featureCount ? fields[featureCount] : nil))
        }
        guard !rows.isEmpty else { throw EdgeError(.invalidInput, "\(file): no data rows (the file is empty or holds only a header)") }
        return rows
    }

    /// The model's answers for `rows`, in order.
    public func predict(_ rows: [Row]) throws -> [(predictedClass: Int32, probabilities: [Float])] {
        try model.outputs(rows.map(\.features))
    }
}
