/// One data row: its features, its label (0 when the label is real-valued), its target (the
/// label's value, real-valued or not) and its task column's text (nil without a task column).
struct CSVRow {
    var features: [Float]
    var label: Int32
    var target: Float
    var task: String?
}

/// Turns CSV records into labelled rows, one at a time: the first record decides the header and
/// the width, every later record must match, and the first bad cell is an error naming its row
/// (line number), column and value.
struct CSVLabelledRows {
    let source: String
    let options: CSVLoader.Options
    private var names: [String] = []
    private var width = 0
    private var labelIndex = 0
    private var taskIndex: Int?
    private var started = false
    private var hasHeader = false
    private var row: [Float] = []
    /// Data rows read so far.
    private(set) var count = 0
    /// The feature columns' header names (the label column left out); nil without a header.
    var featureNames: [String]? {
        hasHeader ? names.indices.filter { $0 != labelIndex }.map { names[$0] } : nil
    }

    init(source: String, options: CSVLoader.Options) {
        self.source = source
        self.options = options
    }

    /// Reads one record: the header (nothing to pass on) or a data row for `body`.
    mutating func consume(_ record: CSVRecordSplitter.Record, _ body: (CSVRow) throws -> Void) throws {
        if !started {
            started = true
            try begin(record)
            if hasHeader { return }
        }
        let line = record.line, fields = record.fields
        guard fields.count == width else {
            throw LearningError(.invalidData, "\(source): row \(line) has \(fields.count) columns, expected \(width)")
        }
        if let maxRows = options.maxRows, count >= maxRows {
            throw LearningError(.invalidData, "\(source): row \(line) is one more than the maximum of \(maxRows) data rows")
        }
        var label: Int32 = 0, target: Float = 0
        var task: String?
        var column = 0
        for (index, cell) in fields.enumerated() {
            if index == taskIndex {
                task = cell
            } else if index == labelIndex, options.realValuedLabel {
                guard let value = Float(cell), value.isFinite else {
                    throw LearningError(.invalidData, "\(source): row \(line), column \(index + 1) (\(names[index])): target '\(cell)' is not a finite number")
                }
                target = value
            } else if index == labelIndex {
                guard let value = Int32(cell), value >= 0 else {
                    throw LearningError(.invalidData, "\(source): row \(line), column \(index + 1) (\(names[index])): label '\(cell)' is not a non-negative integer")
                }
                if let classCount = options.classCount, value >= classCount {
                    throw LearningError(.invalidData, "\(source): row \(line), column \(index + 1) (\(names[index])): label \(value) is outside 0..<\(classCount)")
                }
                label = value
                target = Float(value)
            } else {
                guard let value = Float(cell) else {
                    throw LearningError(.invalidData, "\(source): row \(line), column \(index + 1) (\(names[index])): '\(cell)' is not a number")
                }
                guard value.isFinite else {
                    throw LearningError(.invalidData, "\(source): row \(line), column \(index + 1) (\(names[index])): '\(cell)' is not finite")
                }
                row[column] = value
                column += 1
            }
        }
        count += 1
        try body(CSVRow(features: row, label: label, target: target, task: task))
    }

    /// Ends the input: an error when there was no data row.
    func finish() throws {
        guard started else { throw LearningError(.emptyData, "\(source): the file is empty (no rows)") }
        guard count > 0 else { throw LearningError(.emptyData, "\(source): no data rows after the header") }
    }

    private mutating func begin(_ first: CSVRecordSplitter.Record) throws {
        switch options.header {
        case .present: hasHeader = true
        case .absent: hasHeader = false
        case .auto: hasHeader = first.fields.contains { Float($0) == nil }
        }
        width = first.fields.count
        names = hasHeader ? first.fields : (0..<width).map { "column \($0 + 1)" }
        guard width >= 2 else {
            throw LearningError(.invalidData, "\(source): row \(first.line) has \(width) column; need at least one feature and a label")
        }
        labelIndex = try column(options.label, "label")
        if let task = options.taskColumn {
            let index = try column(task, "task")
            guard index != labelIndex else {
                throw LearningError(.invalidData, "\(source): the task column and the label column are both column \(index) (\(names[index]))")
            }
            guard width >= 3 else {
                throw LearningError(.invalidData, "\(source): row \(first.line) has \(width) columns; need at least one feature, a label and a task column")
            }
            taskIndex = index
        }
        let features = width - 1 - (taskIndex == nil ? 0 : 1)
        if let featureCount = options.featureCount, features != featureCount {
            throw LearningError(.invalidData, "\(source): row \(first.line) has \(features) feature columns (and a label); expected \(featureCount)")
        }
        row = [Float](repeating: 0, count: features)
    }

    /// The index of the `role` ("label" or "task") column.
    private func column(_ choice: CSVLoader.LabelColumn, _ role: String) throws -> Int {
        switch choice {
        case .last: return width - 1
        case .index(let index):
            guard (0..<width).contains(index) else {
                throw LearningError(.invalidData, "\(source): \(role) column \(index) is outside the \(width) columns (0..<\(width))")
            }
            return index
        case .named(let name):
            guard hasHeader, let index = names.firstIndex(of: name) else {
                throw LearningError(.invalidData, "\(source): no column named '\(name)' (the \(role) column) in the header \(hasHeader ? names.joined(separator: ",") : "(there is no header)")")
            }
            return index
        }
    }
}
