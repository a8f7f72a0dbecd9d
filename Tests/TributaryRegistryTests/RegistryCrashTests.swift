#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing
import TributaryLearning
import TributaryRegistry

/// Real processes, real SQLite: a child commits versions in a loop and is SIGKILLed at several
/// points; after each kill the registry is reopened and everything it lists must load and verify.
@Suite(.serialized) struct RegistryCrashTests {
    /// Starts the helper, waits for `lines` lines of output plus `delay`, SIGKILLs it and returns
    /// the lines it printed.
    func runAndKill(_ arguments: [String], afterLines lines: Int, delay: TimeInterval) throws -> [String] {
        var child = try RegistryChild(arguments)
        let printed = child.read(lines: lines)
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        let all = child.kill()
        #expect(child.process.terminationReason == .uncaughtSignal, "the helper exited by itself: \(printed)")
        return all
    }

    /// Every listed version loads and verifies; the live version is promoted and loads.
    func checkIntact(_ directory: String) throws -> [ModelVersion] {
        let registry = try ModelRegistry(directory: directory)
        let versions = try registry.list()
        for version in versions {
            let checkpoint = try registry.load(version.number)
            #expect(try CheckpointCodec.digest(of: checkpoint) == version.digest)
        }
        let live = versions.filter(\.isLive)
        #expect(live.count <= 1)
        if let live = live.first {
            #expect(live.status == .promoted)
            #expect(try registry.live() == live)
        }
        return versions
    }

    @Test func killedMidCommitLeavesEveryVersionLoadable() throws {
        let directory = RegistryFixtures.temporaryDirectory()
        // Kill points: right at start-up, after a few steps, mid-stream at several delays.
        let points: [(lines: Int, delay: TimeInterval)] = [(0, 0.05), (1, 0), (3, 0.002), (5, 0.01), (8, 0.03), (12, 0.005), (2, 0.1)]
        var acknowledged: Set<UInt64> = []
        for point in points {
            let lines = try runAndKill([directory], afterLines: point.lines, delay: point.delay)
            for line in lines where line.hasPrefix("registered ") {
                acknowledged.insert(UInt64(line.dropFirst("registered ".count))!)
            }
            let versions = try checkIntact(directory)
            // A version the helper saw committed is still there after the kill.
            #expect(acknowledged.isSubset(of: Set(versions.map(\.number))), "lost: \(acknowledged.subtracting(versions.map(\.number)))")
        }
        let registry = try ModelRegistry(directory: directory)
        // Seven kills, each after some commits: many versions, some statuses of each kind.
        let versions = try registry.list()
        #expect(versions.count >= 10, "\(versions.count) versions")
        #expect(Set(versions.map(\.status)).isSuperset(of: [.promoted, .rejected, .rolledBack]))
        #expect(try registry.live() != nil)
        // Debris of kills between blob and row or mid-write is swept; what is listed still loads.
        try RegistryFixtures.exclusive(directory).sweep()
        _ = try checkIntact(directory)
        #expect(Set(RegistryFixtures.blobTree(directory).keys) == Set(versions.map(registry.blobPath(of:))))
    }

    @Test func killedBetweenBlobAndRowLeavesOnlyAnOrphan() throws {
        let directory = RegistryFixtures.temporaryDirectory()
        let registry = try ModelRegistry(directory: directory)
        try registry.register(candidate: RegistryFixtures.candidate(seed: 1))
        try registry.promote(1)
        let lines = try runAndKill([directory, "--orphan"], afterLines: 1, delay: 0)
        let digest = try #require(lines.first { $0.hasPrefix("blob ") }).dropFirst(5)
        let orphanPath = "\(directory)/blobs/sha256/\(digest.prefix(2))/\(digest)"
        #expect(FileManager.default.fileExists(atPath: orphanPath))
        #expect(try checkIntact(directory).map(\.number) == [1])
        let report = try RegistryFixtures.exclusive(directory).sweep()
        #expect(report.removedOrphans == [orphanPath] && report.removedTemporaries.isEmpty)
        #expect(try ModelRegistry(directory: directory).live()?.number == 1)
    }
}
