import Foundation
import Testing
import TributarySystem

/// Two `tributary coordinator serve` processes on one registry, and the debris a SIGKILLed one
/// leaves, swept by the next start.
@Suite(.serialized) struct RegistryLockProcessTests {
    typealias Fixture = CoordinatorEdgeProcessTests.Fixture

    /// Whether `process` ends before `seconds` pass (the deadline only catches a stuck process).
    static func exited(_ process: Process, within seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        return !process.isRunning
    }

    @Test func aSecondCoordinatorIsRefusedNamingTheFirstAndTheNextStartSweepsDebris() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let first = try fixture.launchCoordinator()
        defer { if first.process.isRunning { first.kill() } }
        _ = try first.port()
        let holder = "is in use by tributary coordinator serve --config \(fixture.config) (pid \(first.process.processIdentifier) on host "

        let second = try fixture.launchCoordinator()
        defer { if second.process.isRunning { second.kill() } }
        let output = second.out.waitForEnd(seconds: 120)
        guard Self.exited(second.process, within: 60) else {
            second.kill()
            Issue.record("a second coordinator on the same registry was not refused: \(output)")
            return
        }
        #expect(second.process.terminationStatus != 0, "\(output)")
        #expect(!output.contains("listening on"), "\(output)")
        let refusal = second.stderrText()
        #expect(refusal.contains("registry \(fixture.registry) \(holder)") && refusal.contains("stop it first"), "\(refusal)")
        let sweep = try fixture.models(["sweep"])
        #expect(sweep.status != 0 && sweep.stderr.contains(holder), "\(sweep.stderr)")
        #expect(try fixture.models(["list"]).stdout.contains("promoted (live)"))

        // Killed: the lock goes with the process. Plant what killed commits leave: an orphan blob
        // and a temporary named after the dead writer.
        first.kill()
        let shard = fixture.registry + "/blobs/sha256/ab"
        try AtomicFile.ensureDirectory(shard)
        let orphan = shard + "/ab" + String(repeating: "5", count: 62)
        let temporary = orphan + ".tmp-\(first.process.processIdentifier)-42"
        try AtomicFile.write([UInt8](repeating: 7, count: 3000), to: orphan)
        try AtomicFile.write([UInt8](repeating: 9, count: 1000), to: temporary)

        let third = try fixture.launchCoordinator()
        defer { if third.process.isRunning { third.kill() } }
        _ = try third.port()
        #expect(!FileManager.default.fileExists(atPath: orphan) && !FileManager.default.fileExists(atPath: temporary))
        third.process.terminate()  // SIGTERM: a clean stop, then its stderr is complete
        _ = third.out.waitForEnd(seconds: 120)
        #expect(Self.exited(third.process, within: 60))
        #expect(third.stderrText().contains("registry sweep: removed 1 orphan blob and 1 temporary file (4000 bytes)"))
        let export = try fixture.models(["export", "1", "--out", fixture.dir + "/v1.ckpt"])
        #expect(export.status == 0, "\(export.stderr)")
    }
}
