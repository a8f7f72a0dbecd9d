import Foundation
import Testing

/// `tributary coordinator serve` as a process: what it refuses at start (a deny list it cannot
/// read, an admin endpoint off loopback without a token) and what its start-up line says.
@Suite(.serialized) struct CoordinatorStartupProcessTests {
    typealias Fixture = CoordinatorEdgeProcessTests.Fixture

    /// Runs `serve` expecting it to refuse the start; returns its stderr. A coordinator that
    /// starts instead is killed once it says it listens (or after 120 s), and the test fails.
    func refusedStart(_ fixture: Fixture, _ extra: [String] = []) throws -> String {
        let coordinator = try fixture.launchCoordinator(extra)
        let deadline = ContinuousClock.now + .seconds(120)
        while coordinator.process.isRunning && ContinuousClock.now < deadline {
            if coordinator.out.waitFor("coordinator listening on", seconds: 0.2) != nil { break }
        }
        if coordinator.process.isRunning {
            coordinator.kill()
            Issue.record("the coordinator started with \(extra)")
            return ""
        }
        #expect(coordinator.process.terminationStatus != 0)
        return coordinator.stderrText()
    }

    @Test func aFreshFleetStartsAndTheLineNamesTheAdminAddressReallyBound() throws {
        let fixture = try Fixture(edges: [])
        defer { fixture.remove() }
        // `certs init` wrote the empty deny list the configuration points at.
        #expect(FileManager.default.fileExists(atPath: fixture.fleet + "/revoked.txt"))
        let coordinator = try fixture.launchCoordinator(["--set", "admin.listen=127.0.0.3:0"])
        defer { if coordinator.process.isRunning { coordinator.kill() } }
        let line = try #require(coordinator.out.waitFor("coordinator listening on", seconds: 120), "\(coordinator.stderrText())")
        let admin = try #require(line.split(separator: " ").last.map(String.init), "\(line)")
        #expect(admin.hasPrefix("127.0.0.3:"), "\(line)")
        #expect(Int(admin.dropFirst("127.0.0.3:".count)).map { $0 > 0 } == true, "\(line)")
        #expect(try CLIProcess.run(["round", "status", "--admin", admin]).status == 0)
    }

    @Test func aDenyListItCannotReadStopsTheStart() throws {
        let fixture = try Fixture(edges: [])
        defer { fixture.remove() }
        let path = fixture.fleet + "/revoked.txt"
        try "client edge-1\nserial not-hex\n".write(toFile: path, atomically: true, encoding: .utf8)
        let bad = try refusedStart(fixture)
        #expect(bad.contains("tls.deny_list: \(path):2: serial \"not-hex\" is not hexadecimal: \"serial not-hex\""), "\(bad)")

        try FileManager.default.removeItem(atPath: path)
        let missing = try refusedStart(fixture)
        #expect(missing.contains("tls.deny_list: \(path) does not exist"), "\(missing)")

        let coordinator = try fixture.launchCoordinator(["--set", "tls.deny_list_optional=true"])
        defer { if coordinator.process.isRunning { coordinator.kill() } }
        _ = try coordinator.port()
    }

    @Test func anAdminEndpointOffLoopbackNeedsAToken() throws {
        let fixture = try Fixture(edges: [])
        defer { fixture.remove() }
        let refused = try refusedStart(fixture, ["--set", "admin.listen=0.0.0.0:0"])
        #expect(refused.contains("admin.listen is 0.0.0.0:0; the admin endpoint can start rounds"), "\(refused)")

        let token = fixture.dir + "/admin-token"
        try "4d0c2f6a9b8e7d1c3a5f0e2b4c6d8a1f\n".write(toFile: token, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: token)
        let coordinator = try fixture.launchCoordinator(["--set", "admin.listen=0.0.0.0:0", "--set", "admin.token_file=\(token)"])
        defer { if coordinator.process.isRunning { coordinator.kill() } }
        let line = try #require(coordinator.out.waitFor("coordinator listening on", seconds: 120), "\(coordinator.stderrText())")
        let admin = try #require(line.split(separator: " ").last.map(String.init), "\(line)")
        #expect(admin.hasPrefix("0.0.0.0:"), "\(line)")
        let local = "127.0.0.1:" + String(admin.dropFirst("0.0.0.0:".count))
        let anonymous = try CLIProcess.run(["round", "status", "--admin", local])
        #expect(anonymous.status == 1)
        #expect(anonymous.stderr.contains("HTTP 401"), "\(anonymous.stderr)")
        let authenticated = try CLIProcess.run(["round", "status", "--admin", local, "--token-file", token])
        #expect(authenticated.status == 0, "\(authenticated.stderr)")
        #expect(authenticated.stdout.contains("\"live_version\":1"), "\(authenticated.stdout)")
    }
}
