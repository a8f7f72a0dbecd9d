import ArgumentParser
import TributaryExperiments
import TributaryLearning

/// Where `simulate` and `federate` take their tasks from: the digits scenarios, or a user's own
/// CSV with its label column, a task split rule and classification or regression.
struct TaskDataOptions: ParsableArguments {
    @Option(help: "A CSV of your own data (its tasks from --task-column or --tasks, else one task); without it, the digits (data/digits.csv).")
    var data: String?
    @Option(help: "Scenario: split (class-incremental digits) or permuted digits (default split); with --data, it reads that file as the digits.")
    var scenario: String?
    @Option(help: "With --data: the label column, a header name or a 0-based index (default: the last column).")
    var labelColumn: String?
    @Option(help: "With --data: a column (name or 0-based index) whose values name each row's task, in order of first appearance.")
    var taskColumn: String?
    @Option(help: "With --data: classification (the label is a class index) or regression (a real number, learnt with one MSE output; reports and the gate use RMSE/MAE).")
    var task: String = "classification"

    /// The digits scenario, or nil when the tasks come from the user's CSV.
    func digitsScenario() throws -> DigitsBenchmark.Scenario? {
        guard data == nil || scenario != nil else { return nil }
        guard let scenario = DigitsBenchmark.Scenario(rawValue: scenario ?? "split") else {
            throw ValidationError("--scenario must be split or permuted, got '\(self.scenario ?? "")'")
        }
        for (flag, value) in [("--label-column", labelColumn), ("--task-column", taskColumn)] where value != nil {
            throw ValidationError("\(flag) \(value!) describes your own CSV; the digits scenario '\(scenario.rawValue)' has its own (drop --scenario to read --data as your data)")
        }
        return scenario
    }

    /// The digits CSV's path.
    var digitsPath: String { data ?? "data/digits.csv" }

    /// The user's CSV as a task source; `groups` is --tasks when it names class groups.
    func source(groups: String?) throws -> CSVTaskSource {
        guard let data else { throw ValidationError("--data is required for your own CSV") }
        let regression: Bool
        switch task {
        case "classification": regression = false
        case "regression": regression = true
        default: throw ValidationError("--task must be classification or regression, got '\(task)'")
        }
        var source = CSVTaskSource(path: data, label: Self.column(labelColumn) ?? .last, regression: regression)
        switch (taskColumn, groups) {
        case (let column?, nil): source.split = .column(Self.column(column)!)
        case (nil, let groups?):
            do {
                source.split = .classGroups(try CSVTaskSource.classGroups(groups))
            } catch let error as LearningError {
                throw ValidationError(error.reason)
            }
        case (nil, nil): source.split = .single
        case (let column?, let groups?):
            throw ValidationError("--task-column \(column) and --tasks \(groups) are two split rules; give one")
        }
        return source
    }

    /// The data in a title: "split digits" or "FILE (regression, tasks by column C)".
    func describe(_ source: CSVTaskSource?, scenario: DigitsBenchmark.Scenario) -> String {
        guard let source else { return "\(scenario.rawValue) digits" }
        let split: String
        switch source.split {
        case .single: split = "one task"
        case .column: split = "tasks by column \(taskColumn ?? "")"
        case .classGroups(let groups): split = "tasks by class groups \(CSVTaskSource.describe(groups))"
        }
        return "\(source.path) (\(source.regression ? "regression" : "classification"), \(split))"
    }

    /// A name or a 0-based index.
    static func column(_ text: String?) -> CSVLoader.LabelColumn? {
        text.map { Int($0).map { .index($0) } ?? .named($0) }
    }

    /// `--tasks` is a number of tasks (a digits scenario's first N) or class groups ("0,1;2,3").
    static func splitTasks(_ text: String?) -> (limit: Int?, groups: String?) {
        guard let text else { return (nil, nil) }
        if let limit = Int(text) { return (limit, nil) }
        return (nil, text)
    }
}
