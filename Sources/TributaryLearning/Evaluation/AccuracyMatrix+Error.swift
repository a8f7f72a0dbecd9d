import Foundation

extension AccuracyMatrix {
    /// The matrix of a regression sequence, whose values are RMSE (lower is better), as a text
    /// table with the analogues of ACC/BWT/FWT beneath: the mean RMSE after the last task, the mean
    /// change of the earlier tasks' RMSE since each was learnt (positive: forgetting) and the mean
    /// change before a task was learnt against the untrained model (negative: earlier tasks helped).
    public func renderedError(title: String? = nil) -> String {
        func value(_ value: Double) -> String { String(format: "%.3f", value) }
        func pad(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        var lines: [String] = []
        if let title { lines.append(title) }
        lines.append("RMSE after \\ on " + (0..<taskCount).map { pad("T\($0)", 9) }.joined())
        for (i, row) in values.enumerated() {
            lines.append(pad("T\(i)", 16) + row.map { pad(value($0), 9) }.joined())
        }
        lines.append(pad("untrained", 16) + baseline.map { pad(value($0), 9) }.joined())
        lines.append("mean RMSE \(value(averageAccuracy))   BWT \(String(format: "%+.3f", backwardTransfer)) (RMSE change on earlier tasks; + is forgetting)   FWT \(String(format: "%+.3f", forwardTransfer))")
        return lines.joined(separator: "\n")
    }
}
