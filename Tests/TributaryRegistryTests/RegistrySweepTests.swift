import Foundation
import Testing
import TributaryLearning
import TributaryRegistry

/// Debris of killed commits (orphan blobs, `*.tmp-PID-N` files) and `tributary models sweep`.
@Suite(.serialized) struct RegistrySweepTests {
    @Test func modelsSweepRemovesTheDebrisOfKilledCommitsAndEveryVersionStillLoads() throws {
        let directory = RegistryFixtures.temporaryDirectory()
        // Real kills: a committing loop killed after a few versions, then one killed between blob and row.
        var loop = try RegistryChild([directory])
        _ = loop.read(lines: 6)
        _ = loop.kill()
        var orphaned = try RegistryChild([directory, "--orphan"])
        let digest = try #require(orphaned.read(lines: 1).first { $0.hasPrefix("blob ") }).dropFirst(5)
        _ = orphaned.kill()
        // A kill mid-write leaves the blob's temporary, named by AtomicFile after the dead writer's pid.
        let registry = try ModelRegistry(directory: directory)
        let versions = try registry.list()
        let someBlob = registry.blobPath(of: try #require(versions.first))
        let temporary = someBlob + ".tmp-\(orphaned.process.processIdentifier)-12345"
        try Data(try Data(contentsOf: URL(fileURLWithPath: someBlob)).prefix(100_000)).write(to: URL(fileURLWithPath: temporary))
        let kept = Set(versions.map(registry.blobPath(of:)))
        let debris = RegistryFixtures.blobTree(directory).filter { !kept.contains($0.key) }
        #expect(debris.keys.contains("\(directory)/blobs/sha256/\(digest.prefix(2))/\(digest)") && debris.keys.contains(temporary))

        let sweep = try ChildOutput.models(["sweep", "--registry", directory])
        #expect(sweep.status == 0, "\(sweep.stderr)")
        for path in debris.keys { #expect(sweep.stdout.contains(path), "\(path) not reported: \(sweep.stdout)") }
        let orphans = debris.keys.filter { !$0.contains(".tmp-") }.count
        #expect(sweep.stdout.contains("removed \(orphans) orphan blob"), "\(sweep.stdout)")
        #expect(sweep.stdout.contains("(\(debris.values.reduce(0, +)) bytes); kept \(kept.count) file"), "\(sweep.stdout)")
        #expect(Set(RegistryFixtures.blobTree(directory).keys) == kept)
        for version in versions { _ = try registry.load(version.number) }

        let again = try ChildOutput.models(["sweep", "--registry", directory])
        #expect(again.stdout == "swept \(directory): removed 0 orphan blobs and 0 temporary files (0 bytes); kept \(kept.count) files\n")
    }

    @Test func sweepKeepsThisProcesssOwnTemporariesAndNeedsTheLock() throws {
        let directory = RegistryFixtures.temporaryDirectory()
        let shared = try RegistryFixtures.registry(directory)
        let version = try shared.register(candidate: RegistryFixtures.candidate(seed: 1))
        let own = shared.blobPath(of: version) + ".tmp-\(getpid())-1"
        #expect(FileManager.default.createFile(atPath: own, contents: Data([1, 2, 3])))
        #expect {
            try shared.sweep()
        } throws: { ($0 as? RegistryError)?.code == .locked }
        let report = try RegistryFixtures.exclusive(directory).sweep()
        #expect(report == SweepReport(removedOrphans: [], removedTemporaries: [], removedBytes: 0, kept: 2))
        #expect(FileManager.default.fileExists(atPath: own))
    }
}
