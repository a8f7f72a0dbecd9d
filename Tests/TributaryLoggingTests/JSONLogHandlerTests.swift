import Foundation
import Logging
import NIOConcurrencyHelpers
import Testing
@testable import TributaryLogging

@Suite("JSON log handler")
struct JSONLogHandlerTests {
    final class Lines: Sendable {
        let box = NIOLockedValueBox<[String]>([])
        func append(_ line: String) { box.withLockedValue { $0.append(line) } }
        var all: [String] { box.withLockedValue { $0 } }
    }

    @Test("one JSON object a line, with the message, level, logger and the round and version ids as fields")
    func oneObjectPerLine() throws {
        let lines = Lines()
        var logger = Logger(label: "tributary.coordinator") { label in JSONLogHandler(label: label, write: lines.append) }
        logger[metadataKey: "process"] = "serve"
        logger.info("round closed", metadata: ["round.id": "3", "model.version": "4", "decision": "promoted"])
        logger.debug("not written at info")
        #expect(lines.all.count == 1)
        let line = try #require(lines.all.first)
        #expect(line.hasSuffix("\n") && !line.dropLast().contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["message"] as? String == "round closed")
        #expect(object["level"] as? String == "info")
        #expect(object["logger"] as? String == "tributary.coordinator")
        #expect(object["round.id"] as? String == "3")
        #expect(object["model.version"] as? String == "4")
        #expect(object["process"] as? String == "serve")
        #expect((object["time"] as? String)?.hasSuffix("Z") == true)
    }

    @Test("a format other than text or json is refused, naming the setting and the value")
    func badFormat() throws {
        #expect(throws: LogFormatError.self) { try LogFormat(parsing: "xml", setting: "--log-format") }
        do { _ = try LogFormat(parsing: "xml", setting: "--log-format") } catch {
            #expect("\(error)" == "--log-format is 'xml'; must be one of text, json")
        }
        #expect(try LogFormat(parsing: "JSON", setting: "logging.format") == .json)
    }
}
