import Foundation
import TributaryLearning

/// What the quality suite measured: per method, one accuracy matrix per seed, and the summary
/// statistics over the seeds.
public struct SuiteReport: Sendable, Codable {
    public struct Run: Sendable, Codable {
        public var seed: UInt64
        public var matrix: AccuracyMatrix

        /// Accuracy on the newest task after training on it last: R[T−1][T−1].
        public var newestTask: Double { matrix.values.last?.last ?? 0 }
    }

    public struct Row: Sendable, Codable {
        public var method: SuiteMethod
        public var runs: [Run]

        public var acc: Statistic { Statistic(runs.map(\.matrix.averageAccuracy)) }
        public var bwt: Statistic { Statistic(runs.map(\.matrix.backwardTransfer)) }
        public var newestTask: Statistic { Statistic(runs.map(\.newestTask)) }
    }

    /// Mean and sample standard deviation (n − 1; 0 for one value).
    public struct Statistic: Sendable, Equatable {
        public var mean: Double
        public var std: Double

        public init(_ values: [Double]) {
            let mean = values.reduce(0, +) / Double(max(values.count, 1))
            let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
            self.mean = mean
            std = values.count > 1 ? (squares / Double(values.count - 1)).squareRoot() : 0
        }

        /// In percent or points: "83.2 ± 1.5".
        public var percent: String { String(format: "%.1f ± %.1f", mean * 100, std * 100) }
    }

    public var scenario: SuiteScenario
    public var taskNames: [String]
    public var rows: [Row]

    public var seeds: [UInt64] { rows.first?.runs.map(\.seed) ?? [] }

    public func row(_ method: SuiteMethod) -> Row? { rows.first { $0.method == method } }

    /// The table: one line per method with ACC, BWT and newest-task accuracy as mean ± std in
    /// percent (BWT in points), and ACC per seed; as Markdown or aligned text.
    public func table(markdown: Bool) -> String {
        let header = ["method", "ACC %", "BWT (points)", "newest task %", "ACC per seed (" + seeds.map(String.init).joined(separator: ", ") + ")"]
        let lines = rows.map { row in
            [row.method.rawValue, row.acc.percent, row.bwt.percent, row.newestTask.percent,
             row.runs.map { String(format: "%.1f", $0.matrix.averageAccuracy * 100) }.joined(separator: " / ")]
        }
        let title = "\(scenario.rawValue): \(taskNames.count) tasks (\(taskNames.joined(separator: "; "))), \(seeds.count) seeds, mean ± std"
        if markdown {
            let row = { (cells: [String]) in "| " + cells.joined(separator: " | ") + " |" }
            return ([title, "", row(header), row(header.map { _ in "---" })] + lines.map(row)).joined(separator: "\n")
        }
        let widths = header.indices.map { column in ([header] + lines).map { $0[column].count }.max()! }
        let pad = { (cells: [String]) in
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return ([title, pad(header)] + lines.map(pad)).joined(separator: "\n")
    }
}
