import Foundation
import TributaryLearning

/// A user's own CSV as a sequence of continual-learning tasks: the label column (a class index,
/// or a real number for regression), a rule that splits the rows into tasks, then per task a
/// seeded 70/30 split (stratified by class for classification) and features standardised with
/// task 0's training statistics, as the digits scenarios are.
public struct CSVTaskSource: Sendable, Equatable {
    /// How the rows become tasks.
    public enum Split: Sendable, Equatable {
        /// One task: all the rows.
        case single
        /// One task per distinct value of this column, in the order the values first appear.
        case column(CSVLoader.LabelColumn)
        /// One task per group of classes (`--tasks "0,1;2,3"`); every label must be in one group.
        case classGroups([[Int32]])
    }

    public var path: String
    public var label: CSVLoader.LabelColumn
    public var split: Split
    /// The label column holds a real-valued target (a one-output MSE model learns it).
    public var regression: Bool
    public var trainFraction: Double

    public init(path: String, label: CSVLoader.LabelColumn = .last, split: Split = .single, regression: Bool = false,
                trainFraction: Double = 0.7) {
        self.path = path
        self.label = label
        self.split = split
        self.regression = regression
        self.trainFraction = trainFraction
    }

    /// `--tasks` text: groups of class indices separated by `;`, classes by `,` ("0,1;2,3").
    public static func classGroups(_ text: String) throws -> [[Int32]] {
        let groups = text.split(separator: ";", omittingEmptySubsequences: false).map { group in
            group.split(separator: ",", omittingEmptySubsequences: false).map { Int32($0.trimmingCharacters(in: .whitespaces)) }
        }
        guard !groups.isEmpty, groups.allSatisfy({ !$0.isEmpty && $0.allSatisfy { ($0 ?? -1) >= 0 } }) else {
            throw LearningError(.invalidConfiguration, "--tasks is '\(text)'; give groups of class indices such as \"0,1;2,3\" (classes ≥ 0, groups separated by ;)")
        }
        let flat = groups.flatMap { $0.map { $0! } }
        if let repeated = flat.first(where: { c in flat.filter { $0 == c }.count > 1 }) {
            throw LearningError(.invalidConfiguration, "--tasks is '\(text)'; class \(repeated) is in more than one group")
        }
        return groups.map { $0.map { $0! } }
    }

    /// The tasks, each with its training and test data and its classes (none for regression).
    public func tasks(seed: UInt64) throws -> [ContinualTask] {
        guard trainFraction > 0, trainFraction < 1 else {
            throw LearningError(.invalidConfiguration, "train fraction is \(trainFraction); must be in (0, 1)")
        }
        var options = CSVLoader.Options(label: label)
        options.realValuedLabel = regression
        if case .column(let column) = split { options.taskColumn = column }
        let (data, tags) = try CSVLoader.loadTagged(path: path, options: options)
        var tasks: [ContinualTask] = []
        for (index, (name, rows)) in try rowsPerTask(data, tags: tags).enumerated() {
            let (train, test) = DigitsBenchmark.stratifiedSplit(data.subset(rows), trainFraction: trainFraction, seed: seed &+ UInt64(index))
            guard !train.isEmpty, !test.isEmpty else {
                throw LearningError(.invalidData, "\(path): task '\(name)' has \(rows.count) rows; too few for a training and a test set")
            }
            tasks.append(ContinualTask(name: name, train: train, test: test, classes: regression ? [] : train.classes))
        }
        let standardizer = Standardizer(fitting: tasks[0].train)
        for index in tasks.indices {
            tasks[index].train = standardizer.apply(tasks[index].train)
            tasks[index].test = standardizer.apply(tasks[index].test)
        }
        return tasks
    }

    /// Each task's name and rows, by the split rule.
    private func rowsPerTask(_ data: Dataset, tags: [String]) throws -> [(String, [Int])] {
        switch split {
        case .single:
            return [("all", Array(0..<data.count))]
        case .column:
            var order: [String] = [], rows: [String: [Int]] = [:]
            for (row, tag) in tags.enumerated() {
                if rows[tag] == nil { order.append(tag) }
                rows[tag, default: []].append(row)
            }
            return order.map { ($0, rows[$0]!) }
        case .classGroups(let groups):
            guard !regression else {
                throw LearningError(.invalidConfiguration, "--tasks groups classes; a regression label has none (use --task-column or one task)")
            }
            var groupOf: [Int32: Int] = [:]
            for (index, group) in groups.enumerated() { for label in group { groupOf[label] = index } }
            var rows = [[Int]](repeating: [], count: groups.count)
            for (row, label) in data.labels.enumerated() {
                guard let group = groupOf[label] else {
                    throw LearningError(.invalidData, "\(path): row \(row + 1) of the data has label \(label), which is in no group of --tasks \(Self.describe(groups))")
                }
                rows[group].append(row)
            }
            if let empty = rows.firstIndex(where: \.isEmpty) {
                throw LearningError(.invalidData, "\(path): no row has a label in --tasks group \(empty + 1) (\(groups[empty].map(String.init).joined(separator: ",")))")
            }
            return zip(groups, rows).map { ("classes " + $0.map(String.init).joined(separator: ","), $1) }
        }
    }

    public static func describe(_ groups: [[Int32]]) -> String {
        "\"" + groups.map { $0.map(String.init).joined(separator: ",") }.joined(separator: ";") + "\""
    }
}
