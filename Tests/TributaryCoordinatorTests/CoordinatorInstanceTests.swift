import Foundation
import Testing
import TributaryAggregation
@testable import TributaryCoordinator
import TributaryLearning
import TributaryModelWire
import TributaryNumerics
import TributaryRounds
import TributaryWire

/// The coordinator instance alone: events in, actions out, a test clock, no socket, no registry
/// (the tests answer `openRound` and `commit` themselves, as the shell does).
@Suite struct CoordinatorInstanceTests {
    /// A clock the test moves by hand.
    struct TestClock {
        let start = ContinuousClock.now
        var elapsed: Duration = .zero
        var now: CoordinatorTime {
            CoordinatorTime(instant: start + elapsed, date: Date(timeIntervalSince1970: 1_800_000_000 + elapsed.seconds))
        }
        mutating func advance(_ duration: Duration) { elapsed += duration }
    }

    /// An instance over a fresh 64-16-10 model at version 1, with its test clock.
    struct Harness {
        var instance: CoordinatorInstance
        var clock = TestClock()
        var tokens: [String: UInt64] = [:]
        let live: GlobalModel

        init(target: Int = 2, quorum: Int? = nil, trigger: RoundConfiguration.Trigger? = nil, timeout: Duration = .seconds(60), maxRounds: Int? = nil,
             release: ReleasePolicy = .immediate) throws {
            let spec = try ModelSpec.mlp(input: 64, hidden: [16], outputs: 10)
            let checkpoint = try Checkpoint.fresh(spec: spec, seed: 3, plan: TrainingPlan(epochs: 1, batchSize: 16, learningRate: 0.05, ewc: EWCConfiguration(lambda: 1)))
            live = try GlobalModel(version: 1, stored: checkpoint)
            var configuration = try CoordinatorConfiguration(
                tls: .init(certificate: "unused.pem", key: "unused-key.pem", ca: "unused-ca.pem"), registryDirectory: "/nonexistent",
                rounds: try RoundConfiguration(targetUpdates: target, overSelection: 1, quorum: quorum, collectTimeout: timeout,
                                               trigger: trigger ?? .readyClients(target)),
                aggregation: .init(rule: .fedAvg), admin: nil)
            configuration.maxRounds = maxRounds
            configuration.release = release
            instance = CoordinatorInstance(
                configuration: configuration, live: live, releases: try ReleaseSet(live: live, parentVersion: 0, parentParameters: nil),
                nextRoundID: 1, now: clock.now)
        }

        mutating func start(resumed: Round? = nil) -> [CoordinatorAction] {
            instance.started(recovered: [], resumed: resumed, now: clock.now)
        }

        mutating func connect(_ id: String, holding version: UInt64 = 1) -> [CoordinatorAction] {
            let hello = Hello(clientID: id, device: DeviceFacts(examplesAvailable: 100, charging: true, meteredNetwork: false, modelVersion: version))
            let (token, actions) = instance.connected(hello, now: clock.now)
            tokens[id] = token
            return actions
        }

        mutating func send(_ update: Update, from id: String) -> [CoordinatorAction] {
            instance.updateReceived(IncomingUpdate(update, from: id), token: tokens[id]!, now: clock.now)
        }

        /// An update for `round` whose delta is `scale` everywhere.
        func update(round: UInt64, scale: Float = 0.01, examples: UInt64 = 50, base: UInt64 = 1) throws -> Update {
            let layout = live.checkpoint.spec.parameterLayout
            return Update(roundID: round, baseModelVersion: base, numExamples: examples,
                          delta: try LearningWire.parameterSet([Float](repeating: scale, count: layout.totalCount), layout: layout))
        }

        /// What the shell would answer after the commit job: the round's candidate, promoted.
        mutating func commit(_ actions: [CoordinatorAction], cohort: String? = nil) throws -> [CoordinatorAction] {
            guard let (work, live) = actions.lazy.compactMap({ if case .commit(let w, let l) = $0 { (w, l) } else { nil } }).first else {
                Issue.record("no commit in \(actions)")
                return []
            }
            let outcome = try work.aggregator.outcome(parameters: live.parameters, optimizer: .fedAvg(), state: live.serverState,
                                                      ewc: work.ewc, consolidation: ConsolidationPolicy())
            let candidate = live.next(version: live.version + 1, outcome: outcome)
            let summary = RoundSummary(
                round: work.round.id, updates: work.aggregator.acceptedCount, examples: work.aggregator.totalExamples, version: candidate.version,
                promoted: true, gateReasons: [], accuracy: [:], parentAccuracy: [:], clientAccuracy: nil, bytesReceived: work.bytesReceived, wallTime: .zero)
            var held = summary
            held.promoted = cohort == nil
            held.cohort = cohort
            clock.advance(.seconds(1))
            return instance.committed(.init(summary: held, candidate: candidate, baseVersion: live.version, startedAt: work.startedAt), now: clock.now)
        }
    }

    static func sent(_ actions: [CoordinatorAction], to token: UInt64?) -> [WireMessage] {
        actions.compactMap { if case .send(let message, let to) = $0, to == token { message } else { nil } }
    }

    static func offers(_ actions: [CoordinatorAction], to token: UInt64?) -> [RoundOffer] {
        sent(actions, to: token).compactMap { if case .roundOffer(let offer) = $0 { offer } else { nil } }
    }

    static func receipt(_ actions: [CoordinatorAction]) -> UpdateReceipt? {
        actions.lazy.compactMap { if case .send(.updateReceipt(let receipt), _) = $0 { receipt } else { nil } }.first
    }

    static func journal(_ actions: [CoordinatorAction]) -> [JournalWrite] {
        actions.compactMap { if case .journal(let write) = $0 { write } else { nil } }
    }

    static func events(_ actions: [CoordinatorAction]) -> [String] {
        actions.compactMap { if case .emit(let event) = $0 { event.line } else { nil } }
    }

    static func opened(_ actions: [CoordinatorAction]) -> Round? {
        actions.lazy.compactMap { if case .openRound(let round, _) = $0 { round } else { nil } }.first
    }

    @Test func aWholeRoundOpensCollectsCommitsAndReleases() throws {
        var h = try Harness()
        #expect(h.start().isEmpty)
        #expect(h.connect("a", holding: 0).contains { if case .send(.modelRelease(let r), _) = $0 { r.version == 1 } else { false } })
        let opening = h.connect("b")
        let round = try #require(Self.opened(opening), "two ready clients start a round: \(opening)")
        #expect(round.id == 1 && round.selected == ["a", "b"] && round.baseVersion == 1)
        // Connecting while the journal is being written: no offer before it is journaled.
        #expect(Self.offers(h.connect("c"), to: h.tokens["c"]).isEmpty)

        let offered = h.instance.roundOpened(1, now: h.clock.now)
        #expect(Self.offers(offered, to: h.tokens["a"]).map(\.roundID) == [1])
        #expect(Self.offers(offered, to: h.tokens["b"]).map(\.roundID) == [1])
        #expect(Self.events(offered) == ["round 1 started: offered to 2 clients (base version 1)"])

        let first = h.send(try h.update(round: 1), from: "a")
        #expect(Self.receipt(first)?.status == .accepted)
        guard case .recordUpdate(1, "a", 50, let digest) = Self.journal(first).first else { Issue.record("\(first)"); return }
        #expect(digest.count == 64)
        let second = h.send(try h.update(round: 1, scale: 0.02), from: "b")
        #expect(Self.receipt(second)?.status == .accepted && Self.journal(second).count == 1)
        #expect(h.instance.status(now: h.clock.now).currentRound?.state == "closing")

        let done = try h.commit(second)
        #expect(Self.events(done).first?.hasPrefix("round 1 closed: 2 updates, 100 examples") == true, "\(Self.events(done))")
        // Every holder of version 1 gets the delta, and the trigger starts round 2 from version 2.
        for id in ["a", "b", "c"] {
            let releases = Self.sent(done, to: h.tokens[id]).compactMap { if case .modelRelease(let r) = $0 { r } else { nil } }
            #expect(releases.count == 1 && releases[0].version == 2)
            if case .delta(let base, _) = releases.first?.model { #expect(base == 1) } else { Issue.record("\(id): expected a delta") }
        }
        #expect(Self.opened(done)?.id == 2 && Self.opened(done)?.baseVersion == 2)
        #expect(h.instance.status(now: h.clock.now).roundsEnded == 1 && h.instance.status(now: h.clock.now).liveVersion == 2)
    }

    @Test func refusalsCarryTheirCodeAndTouchNeitherSumsNorJournal() throws {
        var h = try Harness()
        _ = h.start()
        _ = h.connect("a")
        _ = try #require(Self.opened(h.connect("b")))
        #expect(Self.receipt(h.send(try h.update(round: 1), from: "a"))?.status == .notExpected, "before the round is journaled")
        _ = h.instance.roundOpened(1, now: h.clock.now)
        _ = h.connect("c")
        let cases: [(String, Update, UpdateReceipt.Status, String)] = [
            ("c", try h.update(round: 1), .notExpected, "not offered"),
            ("a", try h.update(round: 9), .notExpected, "has not offered"),
            ("a", try h.update(round: 1, base: 7), .invalid, "version 7"),
            ("a", try h.update(round: 1, examples: 0), .invalid, "0 examples"),
            ("a", try h.update(round: 1, scale: .nan), .invalid, "delta["),
        ]
        for (client, update, status, words) in cases {
            let actions = h.send(update, from: client)
            let receipt = try #require(Self.receipt(actions))
            #expect(receipt.status == status && receipt.reason.contains(words), "\(receipt)")
            #expect(Self.journal(actions).isEmpty && Self.events(actions).first?.contains("update refused") == true)
        }
        #expect(Self.receipt(h.send(try h.update(round: 1), from: "a"))?.status == .accepted)
        let again = try #require(Self.receipt(h.send(try h.update(round: 1), from: "a")))
        #expect(again.status == .notExpected && again.reason.contains("already"))
        let closing = h.send(try h.update(round: 1), from: "b")
        #expect(Self.receipt(h.send(try h.update(round: 1), from: "a"))?.status == .late, "the round is closing")
        _ = try h.commit(closing)
        #expect(Self.receipt(h.send(try h.update(round: 1), from: "b"))?.status == .late, "the round closed")
    }

    @Test func theDeadlineAbandonsARoundShortOfItsQuorum() throws {
        var h = try Harness(target: 2, quorum: 2, timeout: .seconds(30))
        _ = h.start()
        _ = h.connect("a")
        let opening = h.connect("b")
        #expect(opening.contains { if case .wakeUp = $0 { true } else { false } })
        _ = h.instance.roundOpened(1, now: h.clock.now)
        _ = h.send(try h.update(round: 1), from: "a")
        h.clock.advance(.seconds(29))
        #expect(Self.events(h.instance.timerFired(now: h.clock.now)).isEmpty)
        h.clock.advance(.seconds(1))
        let fired = h.instance.timerFired(now: h.clock.now)
        #expect(Self.events(fired).first == "round 1 abandoned: deadline passed with 1 of 2 required updates")
        #expect(Self.journal(fired).contains(.abandon(round: 1, reason: "deadline passed with 1 of 2 required updates")))
    }

    /// The restart of issue 11: the journal held a's update when the process died.
    func resumed(_ h: Harness, resend: [String: JournaledUpdate], selected: [String] = ["a", "b"], deadlineIn: Duration = .seconds(40)) -> Round {
        Round(id: 4, baseVersion: 1, selected: selected, resend: resend, startedAt: h.clock.now.instant, deadline: h.clock.now.instant + deadlineIn)
    }

    func digest(_ update: Update, _ h: Harness) throws -> String {
        try IncomingUpdate(update, from: "x").vectors(layout: h.live.checkpoint.spec.parameterLayout).digest
    }

    @Test func aRestartResumesTheRoundAndCountsTheSameResendOnce() throws {
        var h = try Harness(target: 2, quorum: 2, trigger: .manual)
        let sentBefore = try h.update(round: 4)
        let started = h.start(resumed: resumed(h, resend: ["a": JournaledUpdate(examples: 50, digest: try digest(sentBefore, h))]))
        #expect(Self.events(started).first?.contains("round 4 recovered: resumed until its deadline; offered again to its 2 selected clients as they reconnect, 1 of them asked to resend") == true, "\(started)")
        // The same offer as before the crash goes to each selected client as it reconnects.
        let offerA = try #require(Self.offers(h.connect("a"), to: h.tokens["a"]).first)
        #expect(offerA.roundID == 4 && offerA.baseModelVersion == 1)
        let resent = h.send(sentBefore, from: "a")
        #expect(Self.receipt(resent)?.status == .accepted)
        #expect(Self.journal(resent).isEmpty, "the journal holds a's update already: it is not recorded twice")
        #expect(Self.receipt(h.send(sentBefore, from: "a"))?.status == .notExpected, "and it counts once")
        #expect(Self.offers(h.connect("b"), to: h.tokens["b"]).first?.roundID == 4)
        let fresh = h.send(try h.update(round: 4, scale: 0.03), from: "b")
        #expect(Self.journal(fresh).count == 1)
        let done = try h.commit(fresh)
        #expect(Self.events(done).first?.hasPrefix("round 4 closed: 2 updates, 100 examples") == true, "\(Self.events(done))")
    }

    @Test func aResendThatDiffersFromTheJournalIsRefusedWithItsCode() throws {
        var h = try Harness(target: 2, quorum: 2, trigger: .manual)
        let sentBefore = try h.update(round: 4)
        _ = h.start(resumed: resumed(h, resend: ["a": JournaledUpdate(examples: 50, digest: try digest(sentBefore, h))]))
        _ = h.connect("a")
        for retrained in [try h.update(round: 4, scale: 0.05), try h.update(round: 4, examples: 49)] {
            let actions = h.send(retrained, from: "a")
            let receipt = try #require(Self.receipt(actions))
            #expect(receipt.status == .invalid && receipt.reason.contains("differs from the one accepted before the restart"), "\(receipt)")
            #expect(Self.journal(actions).isEmpty)
        }
        #expect(h.instance.status(now: h.clock.now).currentRound?.accepted == 0)
        #expect(Self.receipt(h.send(sentBefore, from: "a"))?.status == .accepted, "the journaled update itself is still welcome")
    }

    @Test func aRestoredRoundThatCanNoLongerReachItsQuorumIsAbandoned() throws {
        var late = try Harness(target: 2, quorum: 2, trigger: .manual)
        let expired = late.start(resumed: resumed(late, resend: [:], deadlineIn: .zero))
        #expect(Self.events(expired) == ["round 4 abandoned: deadline passed during a restart"])
        #expect(Self.journal(expired) == [.abandon(round: 4, reason: "deadline passed during a restart")])
        #expect(late.instance.status(now: late.clock.now).roundsEnded == 0, "a round of the previous process does not count toward rounds.max_rounds")

        var few = try Harness(target: 2, quorum: 2, trigger: .manual)
        let tooFew = few.start(resumed: resumed(few, resend: [:], selected: ["a"]))
        #expect(Self.events(tooFew) == ["round 4 abandoned: only 1 clients were selected, the quorum is 2"])
        // Rounds continue, numbered after it.
        _ = few.connect("a")
        _ = few.connect("b")
        #expect(try few.instance.startRequested(now: few.clock.now).round == 5)
    }

    @Test func aStopAbandonsTheCollectingRoundAndSaysGoodbyeToEveryone() throws {
        var h = try Harness(maxRounds: 1)
        _ = h.start()
        _ = h.connect("a")
        _ = h.connect("b")
        _ = h.instance.roundOpened(1, now: h.clock.now)
        let stop = h.instance.stopRequested(reason: "shutdown requested", goodbye: .shutdown)
        #expect(Self.journal(stop) == [.abandon(round: 1, reason: "coordinator stopped while collecting (shutdown requested)")])
        for id in ["a", "b"] {
            #expect(Self.sent(stop, to: h.tokens[id]).contains { if case .goodbye(let g) = $0 { g.reason == .shutdown } else { false } })
            #expect(stop.contains { if case .endSession(let t) = $0 { t == h.tokens[id] } else { false } })
        }
        guard case .stop(let reason) = stop.last else { Issue.record("\(stop)"); return }
        #expect(reason == "shutdown requested")
        #expect(h.connect("c").isEmpty && h.tokens["c"] == nil)
    }

    @Test func aRoundTheJournalCouldNotOpenIsAbandonedAndTheOperatorHearsWhy() throws {
        var h = try Harness(trigger: .manual)
        _ = h.start()
        _ = h.connect("a")
        _ = h.connect("b")
        let (id, actions) = try h.instance.startRequested(now: h.clock.now)
        #expect(id == 1 && Self.opened(actions)?.id == 1)
        #expect(throws: CoordinatorError.self) { _ = try h.instance.startRequested(now: h.clock.now) }
        let failed = h.instance.roundOpenFailed(1, reason: "could not start: database is locked", now: h.clock.now)
        #expect(Self.events(failed) == ["round 1 abandoned: could not start: database is locked"])
        #expect(Self.journal(failed) == [.abandon(round: 1, reason: "could not start: database is locked")])
        #expect(h.instance.startFailure?.round == 1)
        #expect(h.instance.roundOpened(1, now: h.clock.now).isEmpty, "a late answer for the failed round does nothing")
        #expect(try h.instance.startRequested(now: h.clock.now).round == 2)
    }

    @Test func aStopWhileTheCommitRunsWaitsForItAndReleasesNothingAfterward() throws {
        var h = try Harness()
        _ = h.start()
        _ = h.connect("a")
        _ = h.connect("b")
        _ = h.instance.roundOpened(1, now: h.clock.now)
        _ = h.send(try h.update(round: 1), from: "a")
        let closing = h.send(try h.update(round: 1), from: "b")
        let stop = h.instance.stopRequested(reason: "graceful shutdown", goodbye: .shutdown)
        #expect(Self.journal(stop).isEmpty, "a closing round is not abandoned: its commit finishes")
        let done = try h.commit(closing)
        #expect(Self.events(done).count == 1 && Self.events(done)[0].hasPrefix("round 1 closed: 2 updates"), "\(Self.events(done))")
        #expect(!done.contains { if case .send = $0 { true } else { false } })
        #expect(Self.opened(done) == nil && h.instance.status(now: h.clock.now).liveVersion == 2)
    }

    /// The live version's accuracy on the devices: what the clients holding it last reported in
    /// Hello or Ready, pooled; reports about another version do not count.
    @Test func statusPoolsTheLiveAccuracyTheClientsHoldingTheLiveVersionReport() throws {
        var h = try Harness(trigger: .manual)
        _ = h.start()
        _ = h.connect("a")
        _ = h.connect("b")
        _ = h.connect("c", holding: 0)
        #expect(h.instance.status(now: h.clock.now).liveAccuracy == nil, "no outcomes reported yet")
        func report(_ id: String, version: UInt64, outcomes: UInt64, correct: UInt64) {
            let device = DeviceFacts(examplesAvailable: 100, charging: true, meteredNetwork: false, modelVersion: version,
                                     liveOutcomes: outcomes, liveCorrect: correct)
            _ = h.instance.ready(Ready(device: device, trigger: "accuracy_drop"), from: id, token: h.tokens[id]!, now: h.clock.now)
        }
        report("a", version: 1, outcomes: 40, correct: 30)
        report("b", version: 1, outcomes: 10, correct: 2)
        report("c", version: 9, outcomes: 50, correct: 50)  // another version's figures
        let live = try #require(h.instance.status(now: h.clock.now).liveAccuracy)
        #expect(live.clients == 2 && live.outcomes == 50 && live.correct == 32 && live.accuracy == 0.64)
    }
}
