/// How a process writes its log: `text` (swift-log's stream format) or `json` (one JSON object
/// a line, for a log shipper). Set by `--log-format` or the configuration key `logging.format`.
public enum LogFormat: String, Sendable, CaseIterable {
    case text
    case json

    /// - Throws: ``LogFormatError`` naming `setting` and the value.
    public init(parsing text: String, setting: String) throws {
        guard let format = LogFormat(rawValue: text.lowercased()) else {
            throw LogFormatError(description: "\(setting) is '\(text)'; must be one of \(Self.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = format
    }
}

public struct LogFormatError: Error, Sendable, CustomStringConvertible {
    public let description: String
}
