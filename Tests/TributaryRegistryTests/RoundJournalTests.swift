import Foundation
import Testing
import TributaryRegistry

@Suite struct RoundJournalTests {
    @Test func aRoundGoesFromCollectingToClosed() throws {
        let clock = TestClock(Date(timeIntervalSince1970: 1_800_000_000))
        let registry = try RegistryFixtures.registry(clock: clock)
        try registry.register(candidate: RegistryFixtures.candidate(seed: 1))
        try registry.promote(1)
        let deadline = clock.now + 30
        let opened = try registry.openRound(id: 1, baseVersion: 1, selected: ["a", "b", "c"], deadline: deadline)
        #expect(opened.state == .collecting && opened.selected == ["a", "b", "c"] && opened.deadline == deadline)
        try registry.recordUpdate(round: 1, clientID: "a", examples: 120, digest: "d-a")
        clock.advance(1)
        try registry.recordUpdate(round: 1, clientID: "b", examples: 80, digest: "d-b")
        #expect { try registry.recordUpdate(round: 1, clientID: "a", examples: 5, digest: "x") } throws: {
            ($0 as? RegistryError)?.code == .invalidRound && "\($0)".contains("'a' already")
        }
        #expect(try registry.unfinishedRounds().map(\.id) == [1])
        try registry.advanceRound(1, to: .aggregating)
        #expect { try registry.recordUpdate(round: 1, clientID: "c", examples: 5, digest: "x") } throws: {
            "\($0)".contains("round 1 is aggregating")
        }
        try registry.advanceRound(1, to: .committing)
        let version = try registry.register(candidate: RegistryFixtures.candidate(seed: 2, parent: 1, round: 1))
        let closed = try registry.closeRound(1, version: version.number)
        #expect(closed.state == .closed && closed.resultVersion == 2)
        #expect(closed.updates.map(\.clientID) == ["a", "b"])
        #expect(closed.updates.map(\.examples) == [120, 80])
        #expect(closed.updates[1].acceptedAt == Date(timeIntervalSince1970: 1_800_000_001))
        #expect(try registry.unfinishedRounds().isEmpty)
    }

    @Test func illegalMovesAreRefused() throws {
        let registry = try RegistryFixtures.registry()
        try registry.openRound(id: 3, baseVersion: nil, selected: ["a"], deadline: Date() + 10)
        #expect { try registry.openRound(id: 3, baseVersion: nil, selected: [], deadline: Date()) } throws: { ($0 as? RegistryError)?.code == .roundExists }
        #expect { try registry.advanceRound(3, to: .committing) } throws: { "\($0)".contains("round 3 is collecting and cannot become committing") }
        #expect { try registry.advanceRound(3, to: .closed) } throws: { ($0 as? RegistryError)?.code == .invalidRound }
        #expect { try registry.advanceRound(4, to: .aggregating) } throws: { ($0 as? RegistryError)?.code == .roundNotFound }
        #expect { try registry.openRound(id: 5, baseVersion: 42, selected: [], deadline: Date()) } throws: { ($0 as? RegistryError)?.code == .versionNotFound }
        let abandoned = try registry.abandonRound(3, reason: "quorum not met: 0 of 1")
        #expect(abandoned.state == .abandoned && abandoned.reason == "quorum not met: 0 of 1")
        #expect { try registry.abandonRound(3, reason: "again") } throws: { ($0 as? RegistryError)?.code == .invalidRound }
    }

    @Test func restartResumesOrAbandonsEachRound() throws {
        let clock = TestClock(Date(timeIntervalSince1970: 1_800_000_000))
        let directory = RegistryFixtures.temporaryDirectory()
        do {
            let registry = try RegistryFixtures.registry(directory, clock: clock)
            try registry.register(candidate: RegistryFixtures.candidate(seed: 1))
            try registry.promote(1)
            // 1: collecting, deadline ahead → resume. 2: collecting, deadline passed → abandon.
            try registry.openRound(id: 1, baseVersion: 1, selected: ["a", "b"], deadline: clock.now + 100)
            try registry.recordUpdate(round: 1, clientID: "a", examples: 10, digest: "d")
            try registry.openRound(id: 2, baseVersion: 1, selected: ["a"], deadline: clock.now + 5)
            // 3: aggregating → abandon. 4: committing with its version registered → close.
            try registry.openRound(id: 3, baseVersion: 1, selected: ["a"], deadline: clock.now + 100)
            try registry.advanceRound(3, to: .aggregating)
            try registry.openRound(id: 4, baseVersion: 1, selected: ["a"], deadline: clock.now + 100)
            try registry.advanceRound(4, to: .aggregating)
            try registry.advanceRound(4, to: .committing)
            try registry.register(candidate: RegistryFixtures.candidate(seed: 4, parent: 1, round: 4))
            // 5: committing, crashed before its version row → abandon.
            try registry.openRound(id: 5, baseVersion: 1, selected: ["a"], deadline: clock.now + 100)
            try registry.advanceRound(5, to: .aggregating)
            try registry.advanceRound(5, to: .committing)
        }
        clock.advance(10)
        let restarted = try RegistryFixtures.registry(directory, clock: clock)
        #expect(try restarted.unfinishedRounds().map(\.id) == [1, 2, 3, 4, 5])
        let decisions = try restarted.recoverRounds(now: clock.now)
        #expect(decisions.count == 5)
        #expect(decisions[0] == .resume(round: 1, resend: ["a"]))
        guard case .abandon(2, let late) = decisions[1] else { Issue.record("\(decisions[1])"); return }
        #expect(late.contains("after the deadline"))
        guard case .abandon(3, let sums) = decisions[2] else { Issue.record("\(decisions[2])"); return }
        #expect(sums.contains("while aggregating"))
        #expect(decisions[3] == .close(round: 4, version: 2))
        guard case .abandon(5, _) = decisions[4] else { Issue.record("\(decisions[4])"); return }
        #expect(try restarted.unfinishedRounds().map(\.id) == [1])
        #expect(try restarted.round(4).resultVersion == 2)
        #expect(try restarted.round(3).state == .abandoned)
    }

    @Test func aCollectingRoundWhoseBaseIsNoLongerLiveIsAbandoned() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let round = RoundRecord(
            id: 9, state: .collecting, baseVersion: 1, selected: ["a"], deadline: now + 60, openedAt: now, updatedAt: now,
            resultVersion: nil, reason: "", updates: [])
        guard case .abandon(9, let reason) = RoundRecovery.decide(round, now: now, liveVersion: 2, committedVersion: nil) else {
            Issue.record("not abandoned")
            return
        }
        #expect(reason.contains("version 1") && reason.contains("now 2"))
        #expect(RoundRecovery.decide(round, now: now, liveVersion: 1, committedVersion: nil) == .resume(round: 9, resend: []))
    }
}
