#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads labelled examples from CSV: numeric feature columns and one integer label column.
///
/// Streaming: rows are parsed one by one as the file is read in fixed-size chunks and the first
/// bad row stops the read, so memory is bounded by the longest row allowed, not by the file.
/// RFC 4180: LF or CRLF line endings, quoted fields (`"a,b"`, doubled quotes `""`), also in
/// the header. Every error names the source, the row (1-based line number in the file), the
/// column and the bad value, so a user can open the file at that place.
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
        /// One ASCII character other than a quote, CR or LF.
        public var delimiter: Character
        /// Rows must have this many feature columns, checked at the first row (nil: the first row decides).
        public var featureCount: Int?
        /// Input longer than this many bytes is refused (nil: no limit); a file is checked before it is read.
        public var maxBytes: Int?
        /// More data rows than this are refused (nil: no limit).
        public var maxRows: Int?
        /// The longest row in bytes: a longer one is refused. This bounds the memory a file with
        /// no line breaks can take.
        public var maxLineBytes: Int
        /// The label column holds a real number (a regression target): the data set gets
        /// `targets` and its labels are 0.
        public var realValuedLabel = false
        /// A column that is neither a feature nor the label but names each row's task
        /// (`loadTagged`); nil: none.
        public var taskColumn: LabelColumn?

        public init(header: Header = .auto, label: LabelColumn = .last, classCount: Int? = nil, delimiter: Character = ",",
                    featureCount: Int? = nil, maxBytes: Int? = nil, maxRows: Int? = nil, maxLineBytes: Int = CSVLoader.defaultMaxLineBytes) {
            self.header = header
            self.label = label
            self.classCount = classCount
            self.delimiter = delimiter
            self.featureCount = featureCount
            self.maxBytes = maxBytes
            self.maxRows = maxRows
            self.maxLineBytes = maxLineBytes
        }
    }

    /// The default longest row: 1 MiB.
    public static let defaultMaxLineBytes = 1 << 20
    /// Files are read in chunks of this many bytes.
    static let chunkBytes = 64 << 10

    /// Loads a CSV file, reading it in 64 KiB chunks; fails at the first bad row.
    public static func load(path: String, options: Options = Options()) throws -> Dataset {
        try loadTagged(path: path, options: options).data
    }

    /// Loads a CSV file and, with `options.taskColumn`, each row's text in that column.
    public static func loadTagged(path: String, options: Options) throws -> (data: Dataset, tasks: [String]) {
        try collect(regression: options.realValuedLabel) { try forEachRecord(path: path, options: options, $0) }
    }

    /// Parses CSV text; `source` names it in errors.
    public static func parse(_ text: String, source: String = "<csv>", options: Options = Options()) throws -> Dataset {
        var text = text
        return try text.withUTF8 { bytes in
            try collect(regression: options.realValuedLabel) { body in
                var reader = try Reader(source: source, options: options)
                try reader.feed(UnsafeRawBufferPointer(bytes), body)
                return try reader.finish(body)
            }.data
        }
    }

    /// The rows a streaming read hands on, as a data set and task tags (the read fails when there are none).
    private static func collect(regression: Bool, _ read: (_ body: (CSVRow) throws -> Void) throws -> Int) throws -> (data: Dataset, tasks: [String]) {
        var dataset: Dataset?
        var tasks: [String] = []
        _ = try read { row in
            if dataset == nil { dataset = Dataset(featureCount: row.features.count, regression: regression) }
            if regression {
                dataset!.append(features: row.features, target: row.target)
            } else {
                dataset!.append(features: row.features, label: row.label)
            }
            if let task = row.task { tasks.append(task) }
        }
        return (dataset!, tasks)
    }

    /// Streams a CSV file: reads it in 64 KiB chunks and calls `body` with each data row's
    /// features and label as soon as the row is read, so memory stays bounded by
    /// `options.maxLineBytes` whatever the file's size. Stops at the first bad row.
    /// - Returns: the number of data rows.
    @discardableResult
    public static func forEachRow(path: String, options: Options = Options(),
                                  _ body: (_ features: [Float], _ label: Int32) throws -> Void) throws -> Int {
        try forEachRecord(path: path, options: options) { try body($0.features, $0.label) }
    }

    private static func forEachRecord(path: String, options: Options, _ body: (CSVRow) throws -> Void) throws -> Int {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw LearningError(.io, "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var status = stat()
        if let maxBytes = options.maxBytes, fstat(fd, &status) == 0, Int(status.st_size) > maxBytes {
            throw LearningError(.invalidData, "\(path): the file is \(status.st_size) bytes, more than the maximum of \(maxBytes)")
        }
        var reader = try Reader(source: path, options: options)
        var chunk = [UInt8](repeating: 0, count: chunkBytes)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw LearningError(.io, "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            try chunk.withUnsafeBytes { try reader.feed(UnsafeRawBufferPointer(rebasing: $0[0..<n]), body) }
        }
        return try reader.finish(body)
    }

    /// Streams CSV bytes already in memory; `source` names them in errors.
    @discardableResult
    public static func forEachRow(_ bytes: UnsafeRawBufferPointer, source: String, options: Options = Options(),
                                  _ body: (_ features: [Float], _ label: Int32) throws -> Void) throws -> Int {
        var reader = try Reader(source: source, options: options)
        let rows: (CSVRow) throws -> Void = { try body($0.features, $0.label) }
        try reader.feed(bytes, rows)
        return try reader.finish(rows)
    }

    /// Bytes to records to labelled rows, with the size caps.
    private struct Reader {
        var splitter: CSVRecordSplitter
        var rows: CSVLabelledRows
        var total = 0

        init(source: String, options: Options) throws {
            guard let delimiter = options.delimiter.asciiValue, !["\"", "\r", "\n"].contains(options.delimiter) else {
                throw LearningError(.invalidConfiguration, "CSV delimiter '\(options.delimiter)' must be one ASCII character other than a quote or a line break")
            }
            guard options.maxLineBytes > 0 else {
                throw LearningError(.invalidConfiguration, "CSV maximum line length is \(options.maxLineBytes) bytes; must be > 0")
            }
            splitter = CSVRecordSplitter(source: source, delimiter: delimiter, maxRecordBytes: options.maxLineBytes)
            rows = CSVLabelledRows(source: source, options: options)
        }

        mutating func feed(_ bytes: UnsafeRawBufferPointer, _ body: (CSVRow) throws -> Void) throws {
            total += bytes.count
            if let maxBytes = rows.options.maxBytes, total > maxBytes {
                throw LearningError(.invalidData, "\(rows.source): more than the maximum of \(maxBytes) bytes")
            }
            var rows = self.rows
            defer { self.rows = rows }
            try splitter.feed(bytes) { try rows.consume($0, body) }
        }

        mutating func finish(_ body: (CSVRow) throws -> Void) throws -> Int {
            var rows = self.rows
            defer { self.rows = rows }
            try splitter.finish { try rows.consume($0, body) }
            try rows.finish()
            return rows.count
        }
    }

    /// Writes a data set as CSV with a header `f0,…,label` (a regression set's label is its target).
    public static func render(_ dataset: Dataset) -> String {
        var text = (0..<dataset.featureCount).map { "f\($0)" }.joined(separator: ",") + ",label\n"
        for index in 0..<dataset.count {
            let label = dataset.targets.map { "\($0[index])" } ?? "\(dataset.labels[index])"
            text += dataset.row(index).map { "\($0)" }.joined(separator: ",") + ",\(label)\n"
        }
        return text
    }
}
