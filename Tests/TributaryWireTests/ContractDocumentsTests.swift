import Foundation
import SwiftProtobuf
import Testing
@testable import TributaryWire

/// Issue 10, item 13: a client written from Protocols/ alone met a contract whose documents had
/// drifted from the code (no `ready` or `update_receipt` in the Envelope table, …). These checks
/// take what the documents must name from the code itself — the generated Envelope's oneof, the
/// generated enums, the .proto files — so a new case fails here until it is documented.
@Suite("The contract's documents name everything the code has")
struct ContractDocumentsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func read(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    /// The Envelope oneof's field names, found by decoding an empty submessage at every field
    /// number and asking the generated code which case it set.
    static func envelopeCases() throws -> [(number: Int, name: String)] {
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = true
        return try (2...100).compactMap { number in
            var tag = UInt64(number) << 3 | 2, bytes: [UInt8] = []
            while tag >= 0x80 { bytes.append(UInt8(tag & 0x7F) | 0x80); tag >>= 7 }
            bytes += [UInt8(tag), 0]
            guard let envelope = try? Tributary_V1_Envelope(serializedBytes: bytes), envelope.message != nil else { return nil }
            let json = try envelope.jsonString(options: options)  // {"update_receipt":{}}
            return (number, String(json.dropFirst(2).prefix { $0 != "\"" }))
        }
    }

    /// The proto names of an enum's values (without `prefix` and the UNSPECIFIED value), from the
    /// generated code's JSON encoding.
    static func values<E: SwiftProtobuf.Enum & CaseIterable>(_ type: E.Type, prefix: String, json: (E) throws -> String) rethrows -> [String] {
        try E.allCases.filter { $0.rawValue != 0 }.map { value in
            let encoded = try json(value)  // {"code":"CODE_REVOKED"}
            let name = encoded.split(separator: "\"").dropFirst(3).first.map(String.init) ?? encoded
            return name.hasPrefix(prefix) ? String(name.dropFirst(prefix.count)) : name
        }
    }

    static func errorCodes() throws -> [String] {
        try values(Tributary_V1_Error.Code.self, prefix: "CODE_") { code in
            var message = Tributary_V1_Error(); message.code = code; return try message.jsonString()
        }
    }

    /// `name` as a whole word, optionally with its proto prefix (`CODE_`, `STATUS_`, …).
    static func mentions(_ text: String, _ name: String, prefix: String = "") -> Bool {
        let pattern = "(?<![A-Za-z0-9_])(\(NSRegularExpression.escapedPattern(for: prefix)))?\(NSRegularExpression.escapedPattern(for: name))(?![A-Za-z0-9_])"
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    @Test("every Envelope oneof case is named in Protocols/README.md and docs/protocol.md, with its field number in the README")
    func envelopeCasesAreDocumented() throws {
        let cases = try Self.envelopeCases()
        #expect(cases.count >= 12, "found only \(cases.map(\.name))")
        let readme = try Self.read("Protocols/README.md"), protocolPage = try Self.read("docs/protocol.md")
        for (number, name) in cases {
            #expect(readme.contains("`\(name)` (\(number))"), "Protocols/README.md's Envelope table lacks `\(name)` (\(number))")
            #expect(protocolPage.contains("`\(name)`"), "docs/protocol.md does not name the Envelope case `\(name)`")
        }
    }

    @Test("every message of the .proto files is named in Protocols/README.md")
    func messagesAreDocumented() throws {
        let readme = try Self.read("Protocols/README.md")
        let directory = Self.root.appendingPathComponent("Protocols/tributary/v1")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".proto") }.sorted()
        #expect(files.count >= 4)
        let regex = try NSRegularExpression(pattern: "^\\s*(message|enum)\\s+(\\w+)", options: .anchorsMatchLines)
        var names: [String] = []
        for file in files {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard match.range(at: 1).location != NSNotFound, let range = Range(match.range(at: 2), in: text) else { continue }
                let name = String(text[range])
                if ["Code", "Reason", "Status"].contains(name) { continue }  // nested enums: their values are checked below
                names.append(name)
                #expect(readme.contains("`\(name)`"), "Protocols/README.md does not name \(file)'s `\(name)`")
            }
        }
        #expect(names.contains("UpdateReceipt") && names.contains("Ready"), "\(names)")
    }

    @Test("every Reject code, Error code, Goodbye reason and UpdateReceipt status is named in Protocols/README.md")
    func enumValuesAreDocumented() throws {
        let readme = try Self.read("Protocols/README.md")
        let reject = try Self.values(Tributary_V1_Reject.Code.self, prefix: "CODE_") { code in
            var message = Tributary_V1_Reject(); message.code = code; return try message.jsonString()
        }
        let goodbye = try Self.values(Tributary_V1_Goodbye.Reason.self, prefix: "REASON_") { reason in
            var message = Tributary_V1_Goodbye(); message.reason = reason; return try message.jsonString()
        }
        let status = try Self.values(Tributary_V1_UpdateReceipt.Status.self, prefix: "STATUS_") { status in
            var message = Tributary_V1_UpdateReceipt(); message.status = status; return try message.jsonString()
        }
        let errors = try Self.errorCodes()
        #expect(reject.contains("FRAME_LIMIT_TOO_SMALL") && errors.contains("INTERNAL") && goodbye.contains("REVOKED") && status.contains("NOT_EXPECTED"))
        for (kind, prefix, names) in [("Reject code", "CODE_", reject), ("Error code", "CODE_", errors),
                                      ("Goodbye reason", "REASON_", goodbye), ("UpdateReceipt status", "STATUS_", status)] {
            for name in names {
                #expect(Self.mentions(readme, name, prefix: prefix), "Protocols/README.md does not name the \(kind) \(name)")
            }
        }
    }

    @Test("docs/protocol.md's refusal table names every Error code")
    func errorCodesAreInTheRefusalTable() throws {
        let protocolPage = try Self.read("docs/protocol.md")
        for name in try Self.errorCodes() {
            #expect(protocolPage.contains("`CODE_\(name)`"), "docs/protocol.md does not name the Error code CODE_\(name)")
        }
    }

    @Test("the documents agree on who speaks first: the coordinator's Welcome, then the client's Hello")
    func whoSpeaksFirst() throws {
        let readme = try Self.read("Protocols/README.md"), protocolPage = try Self.read("docs/protocol.md")
        for (path, text) in [("Protocols/README.md", readme), ("docs/protocol.md", protocolPage)] {
            #expect(text.contains("The coordinator speaks first"), "\(path) does not say the coordinator speaks first")
            #expect(!text.contains("(client → coordinator, first frame)"), "\(path) calls Hello the first frame")
        }
    }
}
