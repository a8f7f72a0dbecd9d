import TributarySystem

/// Reads labelled examples from CSV: numeric feature columns and one integer label column.
///
/// Every error names the source, the row (1-based line number in the file), the column and the
/// bad value, so a user can open the file at that place.
public enum CSVLoader {
    public enum Header: Sendable, Equatable {
        /// The first row is a header when any of its cells is not a number.
        case auto
        case present
        case absent
    }

    public enum LabelColumn: Sendable, Equatable {
        case last
        case index(Int)
        case named(String)
    }

    public struct Options: Sendable, Equatable {
        public var header: Header
        public var label: LabelColumn
        /// Labels must lie in 0..<classCount when given.
        public var classCount: Int?
        public var delimiter: Character

        public init(header: Header = .auto, label: LabelColumn = .last, classCount: Int? = nil, delimiter: Character = ",") {
            self.header = header
            self.label = label
            self.classCount = classCount
            self.delimiter = delimiter
        }
    }

    /// Loads a CSV file.
    public static func load(path: String, options: Options = Options()) throws -> Dataset {
        let bytes: [UInt8]
        do {
            bytes = try AtomicFile.read(path)
        } catch let error as FileError {
            throw LearningError(.io, error.reason)
        }
        return try parse(String(decoding: bytes, as: UTF8.self), source: path, options: options)
    }

    /// Parses CSV text; `source` names it in errors.
    public static func parse(_ text: String, source: String = "<csv>", options: Options = Options()) throws -> Dataset {
        var lines: [(number: Int, fields: [Substring])] = []
        var number = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line
            if trimmed.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            lines.append((number, trimmed.split(separator: options.delimiter, omittingEmptySubsequences: false).map(trim)))
        }
        guard let first = lines.first else {
            throw LearningError(.emptyData, "\(source): the file is empty (no rows)")
        }
        let hasHeader: Bool
        switch options.header {
        case .present: hasHeader = true
        case .absent: hasHeader = false
        case .auto: hasHeader = first.fields.contains { Float($0) == nil }
        }
        let names: [String] = hasHeader ? first.fields.map(String.init) : (0..<first.fields.count).map { "column \($0 + 1)" }
        let width = first.fields.count
        guard width >= 2 else {
            throw LearningError(.invalidData, "\(source): row \(first.number) has \(width) column; need at least one feature and a label")
        }
        let labelIndex: Int
        switch options.label {
        case .last: labelIndex = width - 1
        case .index(let index):
            guard (0..<width).contains(index) else {
                throw LearningError(.invalidData, "\(source): label column \(index) is outside the \(width) columns (0..<\(width))")
            }
            labelIndex = index
        case .named(let name):
            guard hasHeader, let index = names.firstIndex(of: name) else {
                throw LearningError(.invalidData, "\(source): no column named '\(name)' in the header \(hasHeader ? names.joined(separator: ",") : "(there is no header)")")
            }
            labelIndex = index
        }
        var dataset = Dataset(featureCount: width - 1)
        dataset.features.reserveCapacity((lines.count) * (width - 1))
        var row = [Float](repeating: 0, count: width - 1)
        for line in lines.dropFirst(hasHeader ? 1 : 0) {
            guard line.fields.count == width else {
                throw LearningError(.invalidData, "\(source): row \(line.number) has \(line.fields.count) columns, expected \(width)")
            }
            var label: Int32 = 0
            var column = 0
            for (index, cell) in line.fields.enumerated() {
                if index == labelIndex {
                    guard let value = Int32(cell), value >= 0 else {
                        throw LearningError(.invalidData, "\(source): row \(line.number), column \(index + 1) (\(names[index])): label '\(cell)' is not a non-negative integer")
                    }
                    if let classCount = options.classCount, value >= classCount {
                        throw LearningError(.invalidData, "\(source): row \(line.number), column \(index + 1) (\(names[index])): label \(value) is outside 0..<\(classCount)")
                    }
                    label = value
                } else {
                    guard let value = Float(cell) else {
                        throw LearningError(.invalidData, "\(source): row \(line.number), column \(index + 1) (\(names[index])): '\(cell)' is not a number")
                    }
                    guard value.isFinite else {
                        throw LearningError(.invalidData, "\(source): row \(line.number), column \(index + 1) (\(names[index])): '\(cell)' is not finite")
                    }
                    row[column] = value
                    column += 1
                }
            }
            dataset.append(features: row, label: label)
        }
        guard !dataset.isEmpty else {
            throw LearningError(.emptyData, "\(source): no data rows after the header")
        }
        return dataset
    }

    private static func trim(_ field: Substring) -> Substring {
        var field = field
        while let first = field.first, first == " " || first == "\t" { field = field.dropFirst() }
        while let last = field.last, last == " " || last == "\t" { field = field.dropLast() }
        return field
    }

    /// Writes a data set as CSV with a header `f0,…,label`.
    public static func render(_ dataset: Dataset) -> String {
        var text = (0..<dataset.featureCount).map { "f\($0)" }.joined(separator: ",") + ",label\n"
        for index in 0..<dataset.count {
            text += dataset.row(index).map { "\($0)" }.joined(separator: ",") + ",\(dataset.labels[index])\n"
        }
        return text
    }
}
