import Foundation

extension CSVLoader {
    /// The feature columns' names from a CSV file's header (the label column left out), or nil
    /// when the file has no header; reads only up to the first record. The header is decided as
    /// ``load(path:options:)`` decides it.
    public static func featureNames(path: String, options: Options = Options()) throws -> [String]? {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw LearningError(.io, "cannot open \(path)") }
        defer { try? handle.close() }
        guard let delimiter = options.delimiter.asciiValue else {
            throw LearningError(.invalidConfiguration, "CSV delimiter '\(options.delimiter)' must be one ASCII character")
        }
        var splitter = CSVRecordSplitter(source: path, delimiter: delimiter, maxRecordBytes: options.maxLineBytes)
        var rows = CSVLabelledRows(source: path, options: options)
        var first: CSVRecordSplitter.Record?
        let take: (CSVRecordSplitter.Record) -> Void = { record in if first == nil { first = record } }
        while first == nil {
            let chunk: Data
            do { chunk = try handle.read(upToCount: chunkBytes) ?? Data() } catch { throw LearningError(.io, "cannot read \(path): \(error)") }
            if chunk.isEmpty {
                try splitter.finish(emit: take)
                break
            }
            try chunk.withUnsafeBytes { try splitter.feed($0, emit: take) }
        }
        guard let first else { throw LearningError(.emptyData, "\(path): the file is empty (no rows)") }
        try rows.consume(first) { _ in }
        return rows.featureNames
    }
}
