import Testing
import TributaryRounds

@Suite struct RoundStateMachineTests {
    let t0 = ContinuousClock.now

    func machine(target: Int = 4, quorum: Int? = nil, trigger: RoundConfiguration.Trigger = .manual, timeout: Duration = .seconds(30)) throws -> RoundStateMachine {
        try RoundStateMachine(
            configuration: RoundConfiguration(targetUpdates: target, quorum: quorum, collectTimeout: timeout, trigger: trigger),
            currentVersion: 7, now: t0)
    }

    func connect(_ machine: inout RoundStateMachine, _ count: Int, ready: Bool = true, examples: Int = 100) -> [RoundAction] {
        var actions: [RoundAction] = []
        for i in 0..<count {
            actions += machine.clientUpdated(ClientRecord(id: "edge-\(i)", ready: ready, examplesAvailable: examples, now: t0), now: t0)
        }
        return actions
    }

    func offered(_ actions: [RoundAction]) -> Round? {
        for case .offer(let round) in actions { return round }
        return nil
    }

    @Test func overSelectsAndClosesAtTheTarget() throws {
        var m = try machine(target: 4)
        #expect(connect(&m, 10).isEmpty)
        let actions = try m.startRequested(now: t0)
        let round = try #require(offered(actions))
        #expect(round.selected.count == 6)  // ceil(4 × 1.3)
        #expect(round.baseVersion == 7)
        #expect(actions.contains(.wakeUp(at: t0 + .seconds(30))))
        for client in round.selected.prefix(3) {
            #expect(try m.updateReceived(from: client, roundID: round.id, baseVersion: 7, examples: 50, now: t0).isEmpty)
        }
        let last = try m.updateReceived(from: round.selected[3], roundID: round.id, baseVersion: 7, examples: 50, now: t0)
        guard case .close(let closed) = last.first else { Issue.record("no close: \(last)"); return }
        #expect(closed.accepted.count == 4 && closed.acceptedExamples == 200)
        // A fifth, slower client is now late.
        #expect(throws: RoundError.self) { try m.updateReceived(from: round.selected[4], roundID: round.id, baseVersion: 7, examples: 50, now: t0) }
        do {
            _ = try m.updateReceived(from: round.selected[4], roundID: round.id, baseVersion: 7, examples: 50, now: t0)
        } catch let error as RoundError { #expect(error.code == .lateUpdate) }
        #expect(m.roundFinished(promotedVersion: 8, now: t0).isEmpty)
        #expect(m.currentVersion == 8)
        let next = try #require(offered(try m.startRequested(now: t0)))
        #expect(next.id == round.id + 1 && next.baseVersion == 8)
    }

    @Test func refusalsCarryTheirOwnCodes() throws {
        var m = try machine(target: 2)
        _ = connect(&m, 3)
        let round = try #require(offered(try m.startRequested(now: t0)))
        let outsider = "edge-x"
        _ = m.clientUpdated(ClientRecord(id: outsider, ready: true, examplesAvailable: 5, now: t0), now: t0)
        func code(_ body: () throws -> Void) -> RoundError.Code? {
            do { try body(); return nil } catch let error as RoundError { return error.code } catch { return nil }
        }
        let member = round.selected[0]
        #expect(code { _ = try m.updateReceived(from: member, roundID: 99, baseVersion: 7, examples: 1, now: t0) } == .unknownRound)
        #expect(code { _ = try m.updateReceived(from: outsider, roundID: round.id, baseVersion: 7, examples: 1, now: t0) } == .notSelected)
        #expect(code { _ = try m.updateReceived(from: member, roundID: round.id, baseVersion: 6, examples: 1, now: t0) } == .wrongBaseVersion)
        #expect(code { _ = try m.updateReceived(from: member, roundID: round.id, baseVersion: 7, examples: 0, now: t0) } == .emptyUpdate)
        #expect(code { _ = try m.updateReceived(from: member, roundID: round.id, baseVersion: 7, examples: 3, now: t0) } == nil)
        #expect(code { _ = try m.updateReceived(from: member, roundID: round.id, baseVersion: 7, examples: 3, now: t0) } == .duplicateUpdate)
        #expect(m.currentRound?.accepted == [member: 3])
        #expect(code { _ = try m.startRequested(now: t0) } == .roundInProgress)
    }

    @Test func deadlineClosesWithQuorumOrAbandons() throws {
        var m = try machine(target: 4, quorum: 2)
        _ = connect(&m, 6)
        let round = try #require(offered(try m.startRequested(now: t0)))
        _ = try m.updateReceived(from: round.selected[0], roundID: round.id, baseVersion: 7, examples: 10, now: t0)
        #expect(m.tick(now: t0 + .seconds(29)).isEmpty)
        let abandoned = m.tick(now: t0 + .seconds(30))
        guard case .abandon(_, let reason) = abandoned.first else { Issue.record("\(abandoned)"); return }
        #expect(reason.contains("1 of 2"))
        #expect(m.currentVersion == 7)

        let second = try #require(offered(try m.startRequested(now: t0 + .seconds(31))))
        for client in second.selected.prefix(2) {
            _ = try m.updateReceived(from: client, roundID: second.id, baseVersion: 7, examples: 10, now: t0 + .seconds(32))
        }
        guard case .close(let closed) = m.tick(now: t0 + .seconds(61)).first else { Issue.record("quorum met but not closed"); return }
        #expect(closed.accepted.count == 2)
    }

    @Test func dropoutsEndTheRoundWithoutWaitingForTheDeadline() throws {
        var m = try machine(target: 3, quorum: 2)
        _ = connect(&m, 3)
        let round = try #require(offered(try m.startRequested(now: t0)))
        #expect(round.selected.count == 3)
        _ = try m.updateReceived(from: round.selected[0], roundID: round.id, baseVersion: 7, examples: 10, now: t0)
        _ = try m.updateReceived(from: round.selected[1], roundID: round.id, baseVersion: 7, examples: 10, now: t0)
        let actions = m.clientDisconnected(round.selected[2], now: t0)
        guard case .close = actions.first else { Issue.record("\(actions)"); return }
    }

    @Test func triggersStartRoundsByThemselves() throws {
        var ready = try machine(target: 2, trigger: .readyClients(3))
        #expect(connect(&ready, 2).isEmpty)
        #expect(offered(connect(&ready, 3)) != nil)

        var scheduled = try machine(target: 2, trigger: .schedule(every: .seconds(10)))
        #expect(offered(connect(&scheduled, 3)) != nil)  // first round at start-up
        let round = scheduled.currentRound!
        for client in round.selected.prefix(2) {
            _ = try scheduled.updateReceived(from: client, roundID: round.id, baseVersion: 7, examples: 1, now: t0)
        }
        let after = scheduled.roundFinished(promotedVersion: nil, now: t0 + .seconds(1))
        #expect(after == [.wakeUp(at: t0 + .seconds(11))])
        #expect(offered(scheduled.tick(now: t0 + .seconds(5))) == nil)
        #expect(offered(scheduled.tick(now: t0 + .seconds(11))) != nil)

        var notReady = try machine(target: 2, trigger: .readyClients(2))
        #expect(connect(&notReady, 5, ready: false).isEmpty)
        #expect(connect(&notReady, 5, examples: 0).isEmpty)  // below minimumExamples = 1
    }

    @Test func aRoundAbandonedBelowQuorumIsFollowedByTheNextRoundWithoutAnOperator() throws {
        var m = try machine(target: 3, quorum: 3, trigger: .readyClients(3))
        let first = try #require(offered(connect(&m, 3)))
        _ = try m.updateReceived(from: first.selected[0], roundID: first.id, baseVersion: 7, examples: 10, now: t0)
        // Two of three stalled: abandoned at the deadline, and the same three clients are still ready.
        let actions = m.tick(now: first.deadline)
        guard case .abandon(let abandoned, _) = actions.first else { Issue.record("\(actions)"); return }
        #expect(abandoned.id == first.id)
        let second = try #require(offered(actions), "no round followed the abandoned one: \(actions)")
        #expect(second.id == first.id + 1 && second.selected.count == 3)

        // Every selected client gone: abandoned at once; the trigger waits for enough ready clients.
        for client in second.selected.prefix(2) { _ = m.clientDisconnected(client, now: t0) }
        let gone = m.clientDisconnected(second.selected[2], now: t0)
        guard case .abandon = gone.first else { Issue.record("\(gone)"); return }
        #expect(offered(gone) == nil && !m.isCollecting)
        #expect(offered(connect(&m, 3)) != nil)
    }

    @Test func aRoundTheShellCouldNotOpenOrCommitIsAbandonedAndRetriedAfterTheDelay() throws {
        var m = try machine(target: 2, trigger: .readyClients(2))
        let first = try #require(offered(connect(&m, 2)))
        // Opening failed (the journal could not be written): abandoned once, retried after rounds.retry_after.
        let failed = m.roundFailed(first.id, reason: "could not start: disk full", now: t0)
        #expect(failed == [.abandon(first, reason: "could not start: disk full"), .wakeUp(at: t0 + .seconds(10))])
        #expect(!m.isCollecting)
        #expect(m.roundFailed(first.id, reason: "again", now: t0).isEmpty, "a round is abandoned once")
        #expect(throws: RoundError.self) { try m.updateReceived(from: first.selected[0], roundID: first.id, baseVersion: 7, examples: 1, now: t0) }
        // Client events during the delay do not start a round (no hot loop on a full disk).
        #expect(offered(connect(&m, 2)) == nil)
        #expect(m.tick(now: t0 + .seconds(9)) == [.wakeUp(at: t0 + .seconds(10))])
        let second = try #require(offered(m.tick(now: t0 + .seconds(10))))
        #expect(second.id == first.id + 1)
        // The first round's deadline passes during the second: nothing is abandoned twice.
        #expect(m.tick(now: first.deadline).isEmpty)

        // A commit that failed: the closing round ends, and the trigger decides after the delay.
        for client in second.selected { _ = try m.updateReceived(from: client, roundID: second.id, baseVersion: 7, examples: 1, now: t0 + .seconds(11)) }
        let closing = try #require(m.currentRound)
        let commit = m.roundFailed(second.id, reason: "commit failed: disk full", now: t0 + .seconds(12))
        #expect(commit == [.abandon(closing, reason: "commit failed: disk full"), .wakeUp(at: t0 + .seconds(22))])
        #expect(m.currentVersion == 7 && m.currentRound == nil)
        #expect(offered(m.tick(now: t0 + .seconds(22))) != nil)

        // Under a manual trigger the operator decides when to try again.
        var manual = try machine(target: 1)
        _ = connect(&manual, 1)
        let round = try #require(offered(try manual.startRequested(now: t0)))
        #expect(manual.roundFailed(round.id, reason: "disk full", now: t0) == [.abandon(round, reason: "disk full")])
        #expect(offered(try manual.startRequested(now: t0)) != nil)
    }

    @Test func restartResumesARoundThatCanStillReachItsQuorumAndAbandonsTheOthers() throws {
        var m = try machine()
        let empty = Round(id: 4, baseVersion: 7, selected: ["a", "b"], accepted: [:], startedAt: t0, deadline: t0 + .seconds(20))
        #expect(m.restore(round: empty, now: t0 + .seconds(5)) == [.wakeUp(at: t0 + .seconds(20))])
        #expect(m.currentRound == empty)
        #expect(m.nextRoundID == 5)
        var expired = try machine()
        guard case .abandon(_, let why) = expired.restore(round: empty, now: t0 + .seconds(20)).first else { Issue.record("expired round resumed"); return }
        #expect(why == "deadline passed during a restart")
        #expect(throws: RoundError.self) { try expired.updateReceived(from: "b", roundID: 4, baseVersion: 7, examples: 1, now: t0) }
        var few = try machine(target: 2, quorum: 2)
        var lonely = empty
        lonely.selected = ["a"]
        guard case .abandon = few.restore(round: lonely, now: t0).first else { Issue.record("a round short of its quorum resumed"); return }
    }

    @Test func aResumedRoundCountsTheJournaledUpdateOnceWhenItIsResentUnchanged() throws {
        var m = try machine(target: 2, quorum: 2)
        var round = Round(id: 4, baseVersion: 7, selected: ["a", "b"], startedAt: t0, deadline: t0 + .seconds(20))
        round.accepted = ["a": 10]  // what the journal showed: not counted, the sums died
        round.resend = ["a": JournaledUpdate(examples: 10, digest: "d1")]
        _ = m.restore(round: round, now: t0)
        #expect(m.currentRound?.accepted.isEmpty == true)
        let facts = UpdateFacts(client: "a", roundID: 4, baseVersion: 7, examples: 10)
        try m.check(facts)
        #expect(throws: RoundError(.resendDiffers, "update from a for round 4 differs from the one accepted before the restart (digest d2, 10 examples; journaled d1, 10 examples)")) {
            _ = try m.accept(facts, digest: "d2", now: t0)
        }
        let accepted = try m.accept(facts, digest: "d1", now: t0)
        #expect(accepted.resent && accepted.actions.isEmpty)
        #expect(throws: RoundError.self) { try m.check(facts) }
        let fresh = UpdateFacts(client: "b", roundID: 4, baseVersion: 7, examples: 5)
        try m.check(fresh)
        let closing = try m.accept(fresh, digest: "d3", now: t0)
        #expect(!closing.resent)
        guard case .close(let closed) = closing.actions.first else { Issue.record("\(closing)"); return }
        #expect(closed.accepted == ["a": 10, "b": 5])
    }

    @Test func aResumedRoundWaitsForSelectedClientsThatHaveNotReconnectedYet() throws {
        var m = try machine(target: 2, quorum: 2)
        let round = Round(id: 4, baseVersion: 7, selected: ["a", "b"], accepted: [:], startedAt: t0, deadline: t0 + .seconds(20))
        _ = m.restore(round: round, now: t0)
        _ = m.clientUpdated(ClientRecord(id: "a", ready: true, examplesAvailable: 10, now: t0), now: t0)
        // "b" has not reconnected: it is not gone, so the round keeps collecting.
        #expect(try m.updateReceived(from: "a", roundID: 4, baseVersion: 7, examples: 10, now: t0).isEmpty)
        #expect(m.isCollecting)
        _ = m.clientUpdated(ClientRecord(id: "b", ready: true, examplesAvailable: 10, now: t0), now: t0)
        guard case .close = try m.updateReceived(from: "b", roundID: 4, baseVersion: 7, examples: 10, now: t0).first else {
            Issue.record("the round did not close at its target"); return
        }
    }

    @Test func selectionIsSeeded() throws {
        var a = try machine(target: 3), b = try machine(target: 3)
        _ = connect(&a, 20)
        _ = connect(&b, 20)
        #expect(offered(try a.startRequested(now: t0))?.selected == offered(try b.startRequested(now: t0))?.selected)
    }

    @Test func badConfigurationNamesTheValue() {
        #expect(throws: RoundError.self) { try RoundConfiguration(targetUpdates: 0) }
        do {
            _ = try RoundConfiguration(targetUpdates: 4, overSelection: 0.5)
            Issue.record("accepted over-selection 0.5")
        } catch let error as RoundError { #expect(error.reason.contains("0.5")) } catch {}
        #expect(throws: RoundError.self) { try RoundConfiguration(targetUpdates: 4, quorum: 5) }
    }
}
