import ArgumentParser
import Foundation
import Testing
import X509

@testable import TributaryCLI
@testable import TributaryCertificates

@Suite("tributary certs: parsing and running")
struct CertsCommandTests {
    @Test("init, issue, revoke and show parse into the right commands with their defaults")
    func parsing() throws {
        let initCommand = try #require(try CertsCommand.parseAsRoot(["init", "--dir", "/tmp/f"]) as? CertsCommand.Init)
        #expect(initCommand.dir == "/tmp/f")
        #expect(initCommand.name == "default")
        #expect(initCommand.days == 3650)
        #expect(!initCommand.force)

        let forced = try #require(
            try CertsCommand.parseAsRoot(["init", "--dir", "d", "--name", "lab", "--days", "30", "--force"]) as? CertsCommand.Init
        )
        #expect(forced.name == "lab" && forced.days == 30 && forced.force)

        let client = try #require(try CertsCommand.parseAsRoot(["issue", "--dir", "d", "--client", "edge-1"]) as? CertsCommand.Issue)
        #expect(client.client == "edge-1" && client.server.isEmpty && client.days == 365 && client.out == nil)

        let server = try #require(
            try CertsCommand.parseAsRoot(
                ["issue", "--dir", "d", "--server", "a.example", "--server", "b.example", "--ip", "127.0.0.1", "--ip", "::1", "--out", "o"]
            ) as? CertsCommand.Issue
        )
        #expect(server.server == ["a.example", "b.example"] && server.ip == ["127.0.0.1", "::1"] && server.out == "o")

        let revoke = try #require(try CertsCommand.parseAsRoot(["revoke", "edge-1", "--dir", "d"]) as? CertsCommand.Revoke)
        #expect(revoke.id == "edge-1" && revoke.dir == "d" && revoke.certificate == nil)

        let show = try #require(try CertsCommand.parseAsRoot(["show", "x.pem"]) as? CertsCommand.Show)
        #expect(show.file == "x.pem")
    }

    @Test(
        "bad flags fail to parse with one line naming the problem",
        arguments: [
            (["init"], "--dir"),
            (["issue", "--dir", "d"], "--client ID or --server HOST"),
            (["issue", "--dir", "d", "--client", "a", "--server", "b"], "--client cannot be combined"),
            (["issue", "--dir", "d", "--client", "a", "--ip", "127.0.0.1"], "--client cannot be combined"),
            (["init", "--dir", "d", "--days", "ten"], "ten"),
            (["revoke", "--dir", "d"], "<id>"),
            (["frobnicate"], "frobnicate"),
        ]
    )
    func parseErrors(_ arguments: [String], _ mentioning: String) {
        do {
            _ = try CertsCommand.parseAsRoot(arguments)
            Issue.record("\(arguments) parsed")
        } catch {
            let message = CertsCommand.message(for: error)
            #expect(message.contains(mentioning), "\(message)")
            #expect(!message.contains("\n"), "\(message.debugDescription)")
            #expect(CertsCommand.exitCode(for: error) != .success)
        }
    }

    /// Parses and runs a command as `tributary certs ...` would.
    func run(_ arguments: [String]) throws {
        var command = try CertsCommand.parseAsRoot(arguments)
        try command.run()
    }

    /// Parses and runs a command that must fail, returning the one-line message ArgumentParser prints.
    func failure(_ arguments: [String]) -> String? {
        do {
            try self.run(arguments)
            return nil
        } catch {
            #expect(CertsCommand.exitCode(for: error) != .success)
            return CertsCommand.message(for: error)
        }
    }

    @Test("running init, issue, revoke and show into a temp dir gives a chain that verifies")
    func endToEnd() async throws {
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        let dir = temp.file("fleet")
        try self.run(["init", "--dir", dir, "--name", "lab"])
        try self.run(["issue", "--dir", dir, "--client", "edge-1", "--days", "30"])
        try self.run(["issue", "--dir", dir, "--server", "localhost", "--server", "10.0.0.5", "--ip", "::1", "--out", temp.file("srv")])
        try self.run(["show", dir + "/edge-1.pem"])

        #expect(try permissions(dir + "/ca-key.pem") == 0o600)
        #expect(try permissions(dir + "/edge-1-key.pem") == 0o600)
        #expect(try permissions(temp.file("srv/localhost-key.pem")) == 0o600)

        let now = Date()
        let client = try await FleetCredentials.load(
            certificate: dir + "/edge-1.pem",
            key: dir + "/edge-1-key.pem",
            trustRoot: dir + "/ca.pem",
            role: .client,
            now: now
        )
        #expect(client.chain.last?.commonNames == ["Tributary fleet CA lab"])
        #expect(abs(client.leaf.notValidAfter.timeIntervalSince(now) - 30 * day) < 120)
        let server = try await FleetCredentials.load(
            certificate: temp.file("srv/localhost.pem"),
            key: temp.file("srv/localhost-key.pem"),
            trustRoot: dir + "/ca.pem",
            role: .server,
            now: now
        )
        let summary = CertificateSummary(certificate: server.leaf, now: now).lines.joined(separator: "\n")
        #expect(summary.contains("SANs:        DNS:localhost, IP:10.0.0.5, IP:::1"))

        try self.run(["revoke", "edge-1", "--dir", dir])
        let list = try DenyList(parsing: try String(contentsOfFile: dir + "/revoked.txt", encoding: .utf8))
        #expect(list.isRevoked(clientID: nil, serial: client.leaf.serialNumber))
        #expect(list.isRevoked(clientID: try ClientID("edge-1"), serial: nil))
    }

    @Test("bad values and files give one line naming the flag or the file")
    func runErrors() throws {
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        let dir = temp.file("fleet")
        try self.run(["init", "--dir", dir])

        let cases: [([String], String)] = [
            (["init", "--dir", dir], dir + "/ca.pem: a fleet CA already exists"),
            (["init", "--dir", temp.file("x"), "--days", "0"], "--days: validity of 0 days"),
            (["init", "--dir", temp.file("x"), "--name", "a\u{1B}b"], "--name: CA name \"a\\u{1B}b\""),
            (["issue", "--dir", dir, "--client", "../etc/passwd"], "--client: client id \"../etc/passwd\" contains a path separator"),
            (["issue", "--dir", dir, "--client", ""], "--client: client id \"\" is empty"),
            (["issue", "--dir", dir, "--server", "bad host"], "--server: host name \"bad host\" contains whitespace"),
            (["issue", "--dir", dir, "--server", "ok", "--ip", "1.2.3"], "--ip: IP address \"1.2.3\""),
            (["issue", "--dir", dir, "--client", "a", "--days=-5"], "--days: validity of -5 days"),
            (["issue", "--dir", temp.file("empty"), "--client", "a"], temp.file("empty") + "/ca.pem: fleet CA certificate file does not exist"),
            (["revoke", "a\tb", "--dir", dir], "ID: client id \"a\\tb\" contains a control character"),
            (["revoke", "a", "--dir", temp.file("nowhere")], temp.file("nowhere") + ": fleet directory does not exist"),
            (["show", temp.file("missing.pem")], temp.file("missing.pem") + ": certificate file does not exist"),
            (["show", dir + "/ca-key.pem"], dir + "/ca-key.pem: certificate file holds PRIVATE KEY, expected CERTIFICATE"),
        ]
        for (arguments, expected) in cases {
            let message = try #require(self.failure(arguments), "\(arguments) succeeded")
            #expect(message.contains(expected), "\(arguments): \(message)")
            #expect(!message.contains("\n"), "\(arguments): \(message.debugDescription)")
        }
    }
}
