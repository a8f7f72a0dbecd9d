import Foundation

/// The accuracy matrix of a sequence of T tasks and the continual-learning metrics of
/// Lopez-Paz & Ranzato 2017 (GEM): R[i][j] is the test accuracy on task j after training on
/// tasks 0…i, and b[j] the accuracy on task j of the model before any training.
public struct AccuracyMatrix: Sendable, Codable, Equatable {
    public var values: [[Double]]
    public var baseline: [Double]

    public init(values: [[Double]], baseline: [Double]) {
        precondition(values.allSatisfy { $0.count == values.count }, "accuracy matrix must be square")
        precondition(baseline.count == values.count, "baseline needs one value per task")
        self.values = values
        self.baseline = baseline
    }

    public var taskCount: Int { values.count }

    /// ACC = 1/T Σᵢ R[T−1][i]: average accuracy after the last task.
    public var averageAccuracy: Double {
        guard let last = values.last else { return 0 }
        return last.reduce(0, +) / Double(last.count)
    }

    /// BWT = 1/(T−1) Σ_{i<T−1} (R[T−1][i] − R[i][i]): how learning later tasks changed earlier
    /// ones (negative: forgetting).
    public var backwardTransfer: Double {
        let t = taskCount
        guard t > 1 else { return 0 }
        var total = 0.0
        for i in 0..<(t - 1) { total += values[t - 1][i] - values[i][i] }
        return total / Double(t - 1)
    }

    /// FWT = 1/(T−1) Σ_{i≥1} (R[i−1][i] − b[i]): how earlier tasks helped a task before it was
    /// trained on.
    public var forwardTransfer: Double {
        let t = taskCount
        guard t > 1 else { return 0 }
        var total = 0.0
        for i in 1..<t { total += values[i - 1][i] - baseline[i] }
        return total / Double(t - 1)
    }

    /// The matrix as a text table in percent, with ACC, BWT and FWT beneath.
    public func rendered(title: String? = nil) -> String {
        func percent(_ value: Double) -> String { String(format: "%.1f", value * 100) }
        func pad(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        var lines: [String] = []
        if let title { lines.append(title) }
        lines.append("after \\ on " + (0..<taskCount).map { pad("T\($0)", 7) }.joined())
        for (i, row) in values.enumerated() {
            lines.append(pad("T\(i)", 11) + row.map { pad(percent($0), 7) }.joined())
        }
        lines.append(pad("random b", 11) + baseline.map { pad(percent($0), 7) }.joined())
        lines.append(
            "ACC \(percent(averageAccuracy))%   BWT \(percent(backwardTransfer)) points   FWT \(percent(forwardTransfer)) points")
        return lines.joined(separator: "\n")
    }
}
