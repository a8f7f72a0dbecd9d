import Foundation
import Testing
@testable import TributaryCoordinator
import TributaryLearning
import TributaryModelWire
import TributaryWire

/// Issue 12, item 7: the registry's live version changed beside the running coordinator (an
/// operator's rollback, reject or promote). The instance alone, no registry, a test clock.
@Suite struct LiveVersionChangeTests {
    typealias T = CoordinatorInstanceTests

    static func releases(_ actions: [CoordinatorAction], to token: UInt64?) -> [ModelRelease] {
        T.sent(actions, to: token).compactMap { if case .modelRelease(let release) = $0 { release } else { nil } }
    }

    static func parameters(_ release: ModelRelease, _ live: GlobalModel) throws -> [Float]? {
        guard case .full(let set) = release.model else { return nil }
        return try LearningWire.flatten(set, layout: live.checkpoint.spec.parameterLayout, field: "release")
    }

    /// Round 1 closing with a's and b's updates; returns the actions that ask for its commit.
    static func closingRoundOne() throws -> (T.Harness, [CoordinatorAction]) {
        var h = try T.Harness()
        _ = h.start()
        _ = h.connect("a")
        _ = try #require(T.opened(h.connect("b")))
        _ = h.instance.roundOpened(1, now: h.clock.now)
        _ = h.send(try h.update(round: 1), from: "a")
        let closing = h.send(try h.update(round: 1, scale: 0.02), from: "b")
        return (h, closing)
    }

    /// Version 2 promoted by a round, every client holds it, round 2 collecting on base 2.
    static func promotedTwo() throws -> T.Harness {
        var (h, closing) = try closingRoundOne()
        let done = try h.commit(closing)
        #expect(T.opened(done)?.baseVersion == 2)
        _ = h.instance.roundOpened(2, now: h.clock.now)
        return h
    }

    @Test func aRollbackReleasesTheLiveVersionToEveryClientAndAbandonsTheRoundOnTheOldBase() throws {
        var h = try Self.promotedTwo()
        #expect(h.instance.status(now: h.clock.now).liveVersion == 2 && h.instance.status(now: h.clock.now).currentRound?.id == 2)
        // `models rollback --to 1`: version 1 (no parent) is live again.
        let rolledBack = h.live
        let changed = h.instance.liveVersionChanged(
            rolledBack, releases: try ReleaseSet(live: rolledBack, parentVersion: 0, parentParameters: nil), now: h.clock.now)
        #expect(T.events(changed) == [
            "live version changed from 2 to 1 in the registry",
            "round 2 abandoned: its base version 2 is no longer live (live version 1)",
            "version 1 released to 2 clients (0 as delta)",
        ])
        #expect(T.journal(changed) == [.abandon(round: 2, reason: "its base version 2 is no longer live (live version 1)")])
        for id in ["a", "b"] {
            let sent = Self.releases(changed, to: h.tokens[id])
            #expect(sent.count == 1 && sent.first?.version == 1)
            #expect(try sent.first.flatMap { try Self.parameters($0, rolledBack) } == rolledBack.parameters, "\(id): version 1 in full, exactly")
        }
        #expect(h.instance.status(now: h.clock.now).liveVersion == 1 && h.instance.status(now: h.clock.now).currentRound == nil)
        // A later connection holding 2 is given version 1 too; one holding 1 gets nothing.
        #expect(Self.releases(h.connect("c", holding: 2), to: h.tokens["c"]).map(\.version) == [1])
        #expect(Self.releases(h.connect("d", holding: 1), to: h.tokens["d"]).isEmpty)
        // An update trained on the abandoned round's base is refused.
        #expect(T.receipt(h.send(try h.update(round: 2, base: 2), from: "a"))?.status != .accepted)
        // The same live version read again changes nothing.
        #expect(h.instance.liveVersionChanged(rolledBack, releases: try ReleaseSet(live: rolledBack, parentVersion: 0, parentParameters: nil),
                                              now: h.clock.now).isEmpty)
    }

    @Test func theNextRoundTrainsFromTheLiveVersion() throws {
        var h = try Self.promotedTwo()
        let rolledBack = h.live
        _ = h.instance.liveVersionChanged(rolledBack, releases: try ReleaseSet(live: rolledBack, parentVersion: 0, parentParameters: nil), now: h.clock.now)
        h.clock.advance(.seconds(60))  // past rounds.retry_after
        let next = h.instance.timerFired(now: h.clock.now)
        #expect(T.opened(next)?.baseVersion == 1, "\(T.events(next))")
    }

    @Test func aReadyReportingAnotherVersionGetsTheLiveModelInFull() throws {
        var h = try Self.promotedTwo()
        // Client a ignored the delta (it held another version): its Ready says what it holds.
        let ready = Ready(device: DeviceFacts(examplesAvailable: 10, charging: true, meteredNetwork: false, modelVersion: 7), trigger: "volume", ready: false)
        let answered = h.instance.ready(ready, from: "a", token: h.tokens["a"]!, now: h.clock.now)
        let sent = Self.releases(answered, to: h.tokens["a"])
        #expect(sent.map(\.version) == [2])
        if case .full = sent.first?.model {} else { Issue.record("expected the full model: \(sent)") }
        // Holding the live version: nothing sent.
        let current = Ready(device: DeviceFacts(examplesAvailable: 10, charging: true, meteredNetwork: false, modelVersion: 2), trigger: "volume", ready: false)
        #expect(Self.releases(h.instance.ready(current, from: "a", token: h.tokens["a"]!, now: h.clock.now), to: h.tokens["a"]).isEmpty)
    }
}

extension LiveVersionChangeTests {
    /// The live row read while the round's commit runs may already show the commit's own
    /// promotion: the instance waits for `committed` (the next check sees any other change).
    @Test func aChangeReadWhileARoundIsClosingWaitsForTheCommit() throws {
        var (h, closing) = try Self.closingRoundOne()
        #expect(h.instance.status(now: h.clock.now).currentRound?.state == "closing")
        var other = h.live
        other.version = 9
        #expect(h.instance.liveVersionChanged(other, releases: try ReleaseSet(live: other, parentVersion: 0, parentParameters: nil), now: h.clock.now).isEmpty)
        let done = try h.commit(closing)
        #expect(T.events(done).contains("version 2 released to 2 clients (2 as delta)"), "\(T.events(done))")
    }
}
