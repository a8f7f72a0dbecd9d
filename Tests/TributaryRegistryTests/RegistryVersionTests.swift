import Foundation
import Testing
@testable @_spi(CrashTesting) import TributaryRegistry
import TributaryLearning
import TributarySystem

@Suite struct RegistryVersionTests {
    @Test func registerRecordsEverythingAndLoadsVerified() throws {
        let clock = TestClock(Date(timeIntervalSince1970: 1_800_000_000))
        let directory = RegistryFixtures.temporaryDirectory()
        let registry = try RegistryFixtures.registry(directory, clock: clock)
        #expect(try registry.journalMode() == "wal")
        let checkpoint = try RegistryFixtures.checkpoint(seed: 1)
        let first = try registry.register(candidate: VersionCandidate(
            checkpoint: checkpoint, roundID: 4, participants: ["edge-a", "edge-b"], metrics: ["accuracy": 0.93], note: "first"))
        #expect(first.number == 1)
        #expect(first.digest == (try CheckpointCodec.digest(of: checkpoint)))
        #expect(first.status == .candidate && !first.isLive)
        #expect(first.roundID == 4 && first.parent == nil)
        #expect(first.participants == ["edge-a", "edge-b"])
        #expect(first.metrics == ["accuracy": 0.93])
        #expect(first.createdAt == Date(timeIntervalSince1970: 1_800_000_000))
        #expect(first.note == "first")
        let path = registry.blobPath(of: first)
        #expect(path == "\(directory)/blobs/sha256/\(first.digest.prefix(2))/\(first.digest)")
        #expect(first.byteCount == Int64(try AtomicFile.read(path).count))
        #expect(try registry.load(1) == checkpoint)

        clock.advance(60)
        let second = try registry.register(candidate: RegistryFixtures.candidate(seed: 2, parent: 1, round: 5))
        #expect(second.number == 2 && second.parent == 1)
        #expect(try registry.list().map(\.number) == [1, 2])
        #expect(try registry.show(2) == second)
        #expect(try registry.live() == nil)
    }

    @Test func reopeningKeepsEverything() throws {
        let directory = RegistryFixtures.temporaryDirectory()
        do {
            let registry = try RegistryFixtures.registry(directory)
            try registry.register(candidate: RegistryFixtures.candidate(seed: 1))
            try registry.promote(1)
        }
        let reopened = try RegistryFixtures.registry(directory)
        #expect(try reopened.live()?.number == 1)
        #expect(try reopened.load(1) == RegistryFixtures.checkpoint(seed: 1))
    }

    @Test func unknownParentIsRefusedAndNothingIsCommitted() throws {
        let registry = try RegistryFixtures.registry()
        #expect { try registry.register(candidate: RegistryFixtures.candidate(seed: 1, parent: 9)) } throws: {
            ($0 as? RegistryError)?.code == .versionNotFound && "\($0)".contains("version 9")
        }
        #expect(try registry.list().isEmpty)
    }

    @Test func exactlyOneLiveVersion() throws {
        let registry = try RegistryFixtures.registry()
        for seed in 1...3 { try registry.register(candidate: RegistryFixtures.candidate(seed: UInt64(seed))) }
        try registry.promote(1)
        try registry.promote(2)
        let versions = try registry.list()
        #expect(versions.filter(\.isLive).map(\.number) == [2])
        #expect(versions.map(\.status) == [.promoted, .promoted, .candidate])
        // The database itself refuses a second live row.
        #expect(throws: (any Error).self) {
            try registry.database.write { try $0.execute(sql: "UPDATE versions SET status = 'promoted', live = 1 WHERE number = 3") }
        }
        #expect(try registry.live()?.number == 2)
    }

    @Test func rejectAndInvalidTransitions() throws {
        let registry = try RegistryFixtures.registry()
        for seed in 1...2 { try registry.register(candidate: RegistryFixtures.candidate(seed: UInt64(seed))) }
        let rejected = try registry.reject(2, reason: "BWT gate: task 0 dropped 7.5 points")
        #expect(rejected.status == .rejected && rejected.statusReason.contains("7.5 points"))
        #expect { try registry.promote(2) } throws: {
            ($0 as? RegistryError)?.code == .invalidTransition && "\($0)".contains("version 2 is rejected")
        }
        try registry.promote(1)
        // The live version with nothing earlier to return to: refused, and it stays live.
        #expect { try registry.reject(1, reason: "late") } throws: {
            ($0 as? RegistryError)?.code == .noLiveVersion && "\($0)".contains("reject: version 1 is live and no earlier promoted version remains")
        }
        #expect(try registry.live()?.number == 1)
        #expect { try registry.reject(2, reason: "again") } throws: { "\($0)".contains("version 2 is rejected; only a candidate or a promoted version") }
        #expect { try registry.promote(7) } throws: { ($0 as? RegistryError)?.code == .versionNotFound && "\($0)".contains("version 7") }
    }

    @Test func rejectingTheLiveVersionMakesThePreviousOneLiveAndItCanNeverBeRestored() throws {
        let registry = try RegistryFixtures.registry()
        for seed in 1...3 { try registry.register(candidate: RegistryFixtures.candidate(seed: UInt64(seed))) }
        for number in 1...3 { try registry.promote(UInt64(number)) }
        let rejected = try registry.reject(3, reason: "live accuracy fell on gateways")
        #expect(rejected.status == .rejected && !rejected.isLive && rejected.statusReason == "live accuracy fell on gateways")
        #expect(try registry.live()?.number == 2)
        // A promoted version that is not live: rejected in place, the live one untouched.
        try registry.reject(1, reason: "trained on a bad import")
        #expect(try registry.show(1).status == .rejected)
        #expect(try registry.live()?.number == 2)
        #expect { try registry.rollback(to: 3) } throws: { "\($0)".contains("version 3 is rejected") }
        #expect { try registry.rollback() } throws: { ($0 as? RegistryError)?.code == .noLiveVersion }
    }

    @Test func rollbackReturnsToThePreviousPromotedVersion() throws {
        let registry = try RegistryFixtures.registry()
        for seed in 1...4 { try registry.register(candidate: RegistryFixtures.candidate(seed: UInt64(seed))) }
        #expect { try registry.rollback() } throws: { ($0 as? RegistryError)?.code == .noLiveVersion }
        try registry.promote(1)
        #expect { try registry.rollback() } throws: { ($0 as? RegistryError)?.code == .noLiveVersion }
        try registry.promote(2)
        try registry.reject(3, reason: "gate")
        try registry.promote(4)
        let (old, live) = try registry.rollback(reason: "accuracy regression in production")
        #expect(old.number == 4 && old.status == .rolledBack && !old.isLive)
        #expect(old.statusReason == "accuracy regression in production")
        #expect(live.number == 2 && live.isLive)
        // Again: 2 → 1; 2 is marked rolled back.
        let (second, first) = try registry.rollback()
        #expect(second.number == 2 && second.status == .rolledBack)
        #expect(first.number == 1)
        #expect(try registry.live()?.number == 1)
        #expect { try registry.rollback() } throws: { ($0 as? RegistryError)?.code == .noLiveVersion }
        #expect { try registry.rollback(to: 3) } throws: { "\($0)".contains("version 3 is rejected") }
        #expect(try registry.load(1) == RegistryFixtures.checkpoint(seed: 1))
    }

    @Test func rollbackToANamedVersion() throws {
        let registry = try RegistryFixtures.registry()
        for seed in 1...3 {
            try registry.register(candidate: RegistryFixtures.candidate(seed: UInt64(seed)))
            try registry.promote(UInt64(seed))
        }
        let (old, live) = try registry.rollback(to: 1)
        #expect(old.number == 3 && live.number == 1)
        #expect(try registry.show(2).status == .promoted)
        #expect { try registry.rollback(to: 1) } throws: { "\($0)".contains("is the live version") }
    }

    @Test func corruptedBlobIsDetected() throws {
        let registry = try RegistryFixtures.registry()
        let version = try registry.register(candidate: RegistryFixtures.candidate(seed: 1))
        var bytes = try AtomicFile.read(registry.blobPath(of: version))
        bytes[bytes.count / 2] ^= 0x40
        try AtomicFile.write(bytes, to: registry.blobPath(of: version))
        #expect { try registry.load(1) } throws: {
            ($0 as? RegistryError)?.code == .corruptBlob && "\($0)".contains("version 1")
        }
        try FileManager.default.removeItem(atPath: registry.blobPath(of: version))
        #expect { try registry.load(1) } throws: { ($0 as? RegistryError)?.code == .missingBlob }
    }

    @Test func exportWritesTheVerifiedBytes() throws {
        let registry = try RegistryFixtures.registry()
        let version = try registry.register(candidate: RegistryFixtures.candidate(seed: 3))
        let out = RegistryFixtures.temporaryDirectory() + "/model.ckpt"
        try registry.export(1, to: out)
        let (checkpoint, digest) = try CheckpointStore.load(from: out)
        #expect(digest == version.digest)
        #expect(checkpoint == (try RegistryFixtures.checkpoint(seed: 3)))
        #expect { try registry.export(1, to: out) } throws: { "\($0)".contains("already exists") }
        try registry.export(1, to: out, overwrite: true)
    }

    @Test func sweepRemovesOrphansAndOtherProcessesTemporariesAndKeepsEveryVersion() throws {
        let registry = try RegistryFixtures.exclusive(RegistryFixtures.temporaryDirectory())
        let kept = try registry.register(candidate: RegistryFixtures.candidate(seed: 1))
        // A blob written but never committed (a crash between the two halves) and a dead writer's temporary.
        let orphan = try registry.writeBlobOnly(RegistryFixtures.checkpoint(seed: 99))
        let orphanPath = registry.blobs.path(of: orphan)
        let temporary = orphanPath + ".tmp-123-456"
        try AtomicFile.write([1, 2, 3], to: temporary)
        let orphanBytes = try AtomicFile.read(orphanPath).count
        let report = try registry.sweep()
        #expect(report == SweepReport(removedOrphans: [orphanPath], removedTemporaries: [temporary],
                                      removedBytes: Int64(orphanBytes + 3), kept: 1))
        #expect(!AtomicFile.exists(orphanPath) && !AtomicFile.exists(temporary))
        #expect(try registry.load(kept.number) == RegistryFixtures.checkpoint(seed: 1))
    }
}
