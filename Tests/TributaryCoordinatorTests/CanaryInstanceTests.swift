import Foundation
import Testing
@testable import TributaryCoordinator
import TributaryRegistry
import TributaryRounds
import TributaryWire

/// A canary release in the coordinator instance alone: the candidate goes to the cohort only,
/// the arms' live reports decide after the window, and the registry's answer releases what is
/// live to everyone. No socket, no registry: the test answers `settleRollout` as the shell does.
@Suite struct CanaryInstanceTests {
    typealias H = CoordinatorInstanceTests

    static func harness() throws -> H.Harness {
        let policy = try CanaryPolicy(fraction: 0, namedClients: ["a"], minimumDuration: .seconds(60), minimumOutcomesPerArm: 20,
                                      alpha: 0.05, minimumEffect: 0.05)
        return try H.Harness(target: 2, trigger: .manual, release: .canary(policy))
    }

    /// a and b train round 1; its version 2 passes the gate and goes to a only.
    static func rollingOut() throws -> (H.Harness, [CoordinatorAction]) {
        var h = try harness()
        _ = h.start()
        for id in ["a", "b", "c", "d"] { _ = h.connect(id) }
        let (round, opening) = try h.instance.startRequested(now: h.clock.now)
        let selected = try #require(H.opened(opening)).selected
        _ = h.instance.roundOpened(round, now: h.clock.now)
        var last: [CoordinatorAction] = []
        for id in selected { last = h.send(try h.update(round: round), from: id) }
        let started = try h.commit(last, cohort: "canary")
        return (h, started)
    }

    static func releases(_ actions: [CoordinatorAction], to token: UInt64?) -> [UInt64] {
        H.sent(actions, to: token).compactMap { if case .modelRelease(let release) = $0 { release.version } else { nil } }
    }

    static func report(_ h: inout H.Harness, _ id: String, holding version: UInt64, outcomes: UInt64, correct: UInt64) -> [CoordinatorAction] {
        let device = DeviceFacts(examplesAvailable: 100, charging: true, meteredNetwork: false, modelVersion: version,
                                 liveOutcomes: outcomes, liveCorrect: correct)
        return h.instance.ready(Ready(device: device, trigger: "live_report", ready: false), from: id, token: h.tokens[id]!, now: h.clock.now)
    }

    static func settlement(_ actions: [CoordinatorAction]) -> (VersionDecision, Bool)? {
        actions.lazy.compactMap { if case .settleRollout(let decision, let promote) = $0 { (decision, promote) } else { nil } }.first
    }

    @Test func theCandidateGoesToTheCohortOnlyAndNoRoundStartsMeanwhile() throws {
        var (h, started) = try Self.rollingOut()
        #expect(H.events(started).contains("version 2 released to the canary cohort: 1 connected clients in it, 3 keep the live version"))
        #expect(Self.releases(started, to: h.tokens["a"]) == [2])
        for id in ["b", "c", "d"] { #expect(Self.releases(started, to: h.tokens[id]).isEmpty, "\(id) keeps version 1") }
        #expect(h.instance.live.version == 1 && h.instance.rollout?.version == 2)
        #expect(throws: CoordinatorError.self) { try h.instance.startRequested(now: h.clock.now) }
        // A control client that reconnects holding nothing gets the live version, the cohort's the candidate.
        #expect(Self.releases(h.connect("e", holding: 0), to: h.tokens["e"]) == [1])
        #expect(Self.releases(h.connect("a", holding: 1), to: h.tokens["a"]) == [2])
        let status = h.instance.status(now: h.clock.now)
        #expect(status.rollout?.cohort == ["a"] && status.rollout?.state == "watching")
        #expect(status.clients.first { $0.id == "a" }?.cohort == "canary" && status.clients.first { $0.id == "b" }?.cohort == "control")
    }

    @Test func aWorseCanaryIsRolledBackAfterItsWindowAndTheCohortGetsTheLiveVersionBack() throws {
        var (h, _) = try Self.rollingOut()
        #expect(Self.report(&h, "a", holding: 2, outcomes: 30, correct: 9).isEmpty)
        #expect(Self.report(&h, "b", holding: 1, outcomes: 40, correct: 37).isEmpty, "inside the window nothing is decided")
        h.clock.advance(.seconds(61))
        let due = h.instance.timerFired(now: h.clock.now)
        let (decision, promote) = try #require(Self.settlement(due), "\(due)")
        #expect(!promote && decision.kind == "canary_rolled_back" && decision.version == 2)
        #expect(decision.figures["canary.outcomes"] == 30 && decision.figures["control.outcomes"] == 40)
        #expect(decision.reason.contains("canary 30.0% of 30 live outcomes vs control 92.5% of 40"), "\(decision.reason)")
        #expect(Self.settlement(Self.report(&h, "a", holding: 2, outcomes: 40, correct: 10)) == nil, "one settlement at a time")

        let settled = h.instance.rolloutSettled(decision, promoted: false, now: h.clock.now)
        #expect(Self.releases(settled, to: h.tokens["a"]) == [1])
        #expect(h.instance.live.version == 1 && h.instance.rollout == nil)
        #expect(H.events(settled).contains { $0.hasPrefix("version 2 rolled back (canary_rolled_back)") })
        #expect(try h.instance.startRequested(now: h.clock.now).round == 2, "rounds start again, from version 1")
    }

    @Test func aGoodCanaryIsPromotedToEveryClient() throws {
        var (h, _) = try Self.rollingOut()
        _ = Self.report(&h, "a", holding: 2, outcomes: 25, correct: 24)
        _ = Self.report(&h, "c", holding: 1, outcomes: 30, correct: 27)
        h.clock.advance(.seconds(61))
        let (decision, promote) = try #require(Self.settlement(h.instance.timerFired(now: h.clock.now)))
        #expect(promote && decision.kind == "canary_promoted")
        let settled = h.instance.rolloutSettled(decision, promoted: true, now: h.clock.now)
        for id in ["b", "c", "d"] { #expect(Self.releases(settled, to: h.tokens[id]) == [2], "\(id) gets version 2") }
        #expect(Self.releases(settled, to: h.tokens["a"]).isEmpty, "the cohort holds it already")
        #expect(h.instance.live.version == 2 && h.instance.status(now: h.clock.now).rollout == nil)
    }

    @Test func theOperatorCanSettleItAnyTimeButOnlyOnce() throws {
        var (h, _) = try Self.rollingOut()
        let (decision, promote) = try #require(Self.settlement(try h.instance.operatorSettles(promote: false)))
        #expect(!promote && decision.kind == "operator_aborted")
        #expect(throws: CoordinatorError.self) { try h.instance.operatorSettles(promote: true) }
        _ = h.instance.rolloutSettled(decision, promoted: false, now: h.clock.now)
        let error = try #require(throws: CoordinatorError.self) { try h.instance.operatorSettles(promote: true) }
        #expect(error.code == .noRollout && error.reason.contains("no rollout is in flight"))
    }
}
