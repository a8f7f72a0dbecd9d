import ArgumentParser
import TributaryLearning

/// How to read a CSV data file.
struct DataOptions: ParsableArguments {
    @Option(help: "Label column: a header name or a 0-based index (default: the last column).")
    var labelColumn: String?

    @Option(help: "Header row: auto, yes or no.")
    var header: String = "auto"

    /// - Parameter regression: the label column holds a real number (a regression model's target).
    func csvOptions(classCount: Int?, regression: Bool = false) throws -> CSVLoader.Options {
        let headerMode: CSVLoader.Header
        switch header {
        case "auto": headerMode = .auto
        case "yes": headerMode = .present
        case "no": headerMode = .absent
        default: throw ValidationError("--header must be auto, yes or no, got '\(header)'")
        }
        var label = CSVLoader.LabelColumn.last
        if let labelColumn {
            label = Int(labelColumn).map { .index($0) } ?? .named(labelColumn)
        }
        var options = CSVLoader.Options(header: headerMode, label: label, classCount: regression ? nil : classCount)
        options.realValuedLabel = regression
        return options
    }

    func load(_ path: String, classCount: Int?, regression: Bool = false) throws -> Dataset {
        try CSVLoader.load(path: path, options: csvOptions(classCount: classCount, regression: regression))
    }
}
