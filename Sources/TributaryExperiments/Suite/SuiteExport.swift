import TributaryLearning

/// A scenario's tasks as one CSV, so the CSV path of `tributary federate` and `simulate`
/// (`--data FILE --task-column task`) can run it: columns x0…x(d−1), task, label (the label last,
/// where `--data` looks for it by default); every task's training rows, then its test rows,
/// tagged task0, task1, … in order. That path re-splits each task 70/30 with its own seed and
/// standardises with task 0's statistics, so its figures are not the suite's.
public enum SuiteExport {
    public static func csv(_ tasks: [ContinualTask]) -> String {
        let width = tasks.first?.train.featureCount ?? 0
        var lines = [((0..<width).map { "x\($0)" } + ["task", "label"]).joined(separator: ",")]
        for (index, task) in tasks.enumerated() {
            for data in [task.train, task.test] {
                for row in 0..<data.count {
                    lines.append((data.row(row).map { "\($0)" } + ["task\(index)", "\(data.labels[row])"]).joined(separator: ","))
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
