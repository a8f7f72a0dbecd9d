import Foundation
import Logging

/// The log backend an executable installs once, before it parses its command line; the format
/// can be chosen afterwards (`--log-format`, `logging.format`) and applies to every logger.
public enum ProcessLogging {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var chosen: LogFormat = .text

    /// The format every handler writes in now.
    public static var format: LogFormat {
        get { lock.withLock { chosen } }
        set { lock.withLock { chosen = newValue } }
    }

    /// Installs the handler: `level` and above to standard error, in ``format``.
    public static func bootstrap(level: Logger.Level = .info) {
        LoggingSystem.bootstrap { label in
            var handler = FormatSwitchingLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

/// Writes each event as text or JSON, whichever ``ProcessLogging/format`` is when it is logged.
struct FormatSwitchingLogHandler: LogHandler {
    private var text: StreamLogHandler
    private var json: JSONLogHandler

    init(label: String) {
        text = StreamLogHandler.standardError(label: label)
        json = JSONLogHandler(label: label)
    }

    var logLevel: Logger.Level {
        get { text.logLevel }
        set { text.logLevel = newValue; json.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { text.metadata }
        set { text.metadata = newValue; json.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { text[metadataKey: key] }
        set { text[metadataKey: key] = newValue; json[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        switch ProcessLogging.format {
        case .text: text.log(event: event)
        case .json: json.log(event: event)
        }
    }
}
