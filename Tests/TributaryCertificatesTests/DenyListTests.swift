import Foundation
import Testing
import X509

@testable import TributaryCertificates

@Suite("Deny list: format, revoke, reload")
struct DenyListTests {
    @Test("good lines: comments, blank lines, CRLF, hex spellings")
    func parsesGoodLines() throws {
        let text = """
            # fleet deny list

            client edge-0001
              client   edge-0002   # trailing comment\r
            serial 00:4F:2a
            serial 7f5cbf8ff90bd5add8c3f1398331cf5c
            """
        let list = try DenyList(parsing: text)
        #expect(list.clientIDs == [try ClientID("edge-0001"), try ClientID("edge-0002")])
        #expect(list.serials == ["4f2a", "7f5cbf8ff90bd5add8c3f1398331cf5c"])
        #expect(list.isRevoked(clientID: try ClientID("edge-0002"), serial: nil))
        #expect(list.isRevoked(clientID: nil, serial: Certificate.SerialNumber(bytes: [0x4F, 0x2A])))
        #expect(list.isRevoked(serialHex: "4F:2A"))
        #expect(!list.isRevoked(clientID: try ClientID("edge-0003"), serial: Certificate.SerialNumber(bytes: [0x4F, 0x2B])))
        #expect(try DenyList(parsing: "").clientIDs.isEmpty)
    }

    @Test(
        "bad lines: the error names the file, the line number and the content",
        arguments: [
            ("client edge-1\nrevoke edge-2\n", ":2:", "unknown keyword \"revoke\""),
            ("\n\nclient\n", ":3:", "expected 'client <id>'"),
            ("client a b\n", ":1:", "\"client a b\""),
            ("client a/b\n", ":1:", "path separator"),
            ("# ok\nserial 12zz\n", ":2:", "not hexadecimal"),
        ]
    )
    func refusesBadLines(_ text: String, _ line: String, _ why: String) async {
        await expectFleetError(.invalidDenyListLine, mentioning: "fleet/revoked.txt" + line) {
            _ = try DenyList(parsing: text, source: "fleet/revoked.txt")
        }
        await expectFleetError(.invalidDenyListLine, mentioning: why) {
            _ = try DenyList(parsing: text, source: "fleet/revoked.txt")
        }
    }

    @Test("revoke appends the id and the serial of <id>.pem, atomically, and keeps earlier entries")
    func revokeWritesFile() async throws {
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        let directory = FleetDirectory(path: temp.path)
        try directory.initialize(configuration: FleetCAConfiguration(), now: testNow)
        let issued = try directory.issueClient(ClientID("edge-1"), configuration: LeafCertificateConfiguration(), now: testNow)

        let serial = try directory.revoke(ClientID("edge-1"), now: testNow)
        #expect(serial == issued.certificate.serialNumber)
        try directory.revoke(ClientID("edge-2"), now: testNow)  // no certificate on disk: id only

        let text = try String(contentsOfFile: directory.denyListPath, encoding: .utf8)
        #expect(text.hasPrefix("# Tributary fleet deny list"))
        #expect(text.contains("client edge-1\nserial \(issued.certificate.serialNumber.hexString)\n"))
        let list = try DenyList(parsing: text)
        #expect(list.clientIDs == [try ClientID("edge-1"), try ClientID("edge-2")])
        #expect(list.isRevoked(clientID: nil, serial: issued.certificate.serialNumber))
        #expect(try permissions(directory.denyListPath) == 0o644)
        #expect(try FileManager.default.contentsOfDirectory(atPath: temp.path).allSatisfy { !$0.contains(".tmp") })

        // A certificate for someone else is refused; a broken file is not extended.
        await expectFleetError(.identityMismatch, mentioning: "edge-1") {
            try directory.revoke(ClientID("edge-9"), certificate: issued.certificatePath, now: testNow)
        }
        try (text + "bogus line\n").write(toFile: directory.denyListPath, atomically: true, encoding: .utf8)
        await expectFleetError(.invalidDenyListLine, mentioning: "revoked.txt:") {
            try directory.revoke(ClientID("edge-3"), now: testNow)
        }
    }

    @Test("the watcher reloads only when the modification time changes, and keeps the list when the file goes")
    func watcherDecisions() throws {
        var watcher = DenyListWatcher()
        let t1 = Date(timeIntervalSince1970: 1000)
        #expect(watcher.check(modificationTime: nil) == .fileMissing)
        #expect(watcher.check(modificationTime: t1) == .reload)
        watcher.loaded(try DenyList(parsing: "client a\n"), modificationTime: t1)
        #expect(watcher.check(modificationTime: t1) == .unchanged)
        #expect(watcher.check(modificationTime: t1 + 0.001) == .reload)
        #expect(watcher.check(modificationTime: nil) == .fileMissing)
        #expect(watcher.denyList.clientIDs == [try ClientID("a")])
    }

    @Test("refresh(path:) re-reads the file after revoke changes it; a bad edit keeps the old list")
    func watcherRefresh() async throws {
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        let directory = FleetDirectory(path: temp.path)
        var watcher = DenyListWatcher()
        // A missing file is an error for the caller to judge, never an empty list in silence.
        await expectFleetError(.fileMissing, mentioning: "revoked.txt: deny list file does not exist; no list was loaded yet") {
            try watcher.refresh(path: directory.denyListPath)
        }

        try directory.revoke(ClientID("edge-1"), now: testNow)
        try Self.setModificationTime(directory.denyListPath, Date(timeIntervalSince1970: 2000))
        #expect(try watcher.refresh(path: directory.denyListPath) == true)
        #expect(try watcher.refresh(path: directory.denyListPath) == false)
        #expect(watcher.denyList.isRevoked(clientID: try ClientID("edge-1"), serial: nil))

        try directory.revoke(ClientID("edge-2"), now: testNow)
        try Self.setModificationTime(directory.denyListPath, Date(timeIntervalSince1970: 3000))
        #expect(try watcher.refresh(path: directory.denyListPath) == true)
        #expect(watcher.denyList.clientIDs.count == 2)

        try "client ok\nnot a line\n".write(toFile: directory.denyListPath, atomically: true, encoding: .utf8)
        try Self.setModificationTime(directory.denyListPath, Date(timeIntervalSince1970: 4000))
        await expectFleetError(.invalidDenyListLine, mentioning: "revoked.txt:2") {
            try watcher.refresh(path: directory.denyListPath)
        }
        #expect(watcher.denyList.clientIDs.count == 2)

        try FileManager.default.removeItem(atPath: directory.denyListPath)
        await expectFleetError(.fileMissing, mentioning: "the list loaded before stays in force (2 clients") {
            try watcher.refresh(path: directory.denyListPath)
        }
        #expect(watcher.denyList.clientIDs.count == 2)
    }

    @Test("certs init writes an empty deny list, so a coordinator pointed at it starts; an existing one is kept")
    func initWritesAnEmptyDenyList() async throws {
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        let directory = FleetDirectory(path: temp.path)
        try directory.initialize(configuration: try FleetCAConfiguration(name: "t"), now: testNow)
        let text = try String(contentsOfFile: directory.denyListPath, encoding: .utf8)
        #expect(text.hasPrefix("# Tributary fleet deny list"))
        #expect(try DenyList(parsing: text) == DenyList())
        try directory.revoke(ClientID("edge-1"), now: testNow)
        try directory.initialize(configuration: try FleetCAConfiguration(name: "t"), now: testNow, force: true)
        let kept = try DenyList(parsing: try String(contentsOfFile: directory.denyListPath, encoding: .utf8))
        #expect(kept.isRevoked(clientID: try ClientID("edge-1"), serial: nil))
    }

    /// Sets the mtime explicitly so the test does not depend on the file system's timestamp granularity.
    static func setModificationTime(_ path: String, _ date: Date) throws {
        try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: path)
    }
}
