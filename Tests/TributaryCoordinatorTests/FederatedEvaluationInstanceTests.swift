import Foundation
import Testing
@testable import TributaryCoordinator
import TributaryRegistry
import TributaryRounds
import TributaryWire

/// The evaluate round in the coordinator instance alone: a version the gate passed goes, with the
/// live version, to edges that can evaluate; their held-out counts decide whether it is released.
@Suite struct FederatedEvaluationInstanceTests {
    typealias H = CoordinatorInstanceTests

    static func harness(release: ReleasePolicy = .immediate) throws -> H.Harness {
        var h = try H.Harness(target: 2, trigger: .manual, release: release)
        var configuration = h.instance.configuration
        configuration.evaluation.federated = FederatedEvaluationSettings(
            sampling: try EvaluationConfiguration(sampleSize: 3, minimumClients: 2, minimumExamples: 50, timeout: .seconds(30)), maxDrop: 0.05)
        h.instance = CoordinatorInstance(configuration: configuration, live: h.live, releases: h.instance.releases, nextRoundID: 1, now: h.clock.now)
        return h
    }

    /// Four edges that can evaluate; a and b train round 1, whose version 2 passes the gate.
    static func evaluating(_ h: inout H.Harness, evaluators: [String] = ["a", "b", "c", "d"]) throws -> [CoordinatorAction] {
        _ = h.start()
        for id in ["a", "b", "c", "d"] {
            let hello = Hello(clientID: id, capabilities: Capabilities(features: evaluators.contains(id) ? [EvaluateRequest.feature] : []),
                              device: DeviceFacts(examplesAvailable: 100, charging: true, meteredNetwork: false, modelVersion: 1))
            let (token, _) = h.instance.connected(hello, now: h.clock.now)
            h.tokens[id] = token
        }
        let (round, opening) = try h.instance.startRequested(now: h.clock.now)
        _ = h.instance.roundOpened(round, now: h.clock.now)
        var last: [CoordinatorAction] = []
        for id in try #require(H.opened(opening)).selected { last = h.send(try h.update(round: round), from: id) }
        return try h.commit(last, heldFor: "federated evaluation")
    }

    static func requests(_ actions: [CoordinatorAction]) -> [(client: UInt64, request: EvaluateRequest)] {
        actions.compactMap { if case .send(.evaluateRequest(let request), let token) = $0 { (token, request) } else { nil } }
    }

    static func answer(_ h: inout H.Harness, _ request: (client: UInt64, request: EvaluateRequest), correct: UInt64, of total: UInt64) -> [CoordinatorAction] {
        let id = h.tokens.first { $0.value == request.client }!.key
        let result = EvaluateResult(evaluationID: request.request.evaluationID, version: request.request.version,
                                    classes: [0: .init(correct: correct, total: total)])
        return h.instance.evaluated(result, from: id, token: request.client, now: h.clock.now)
    }

    static func settlement(_ actions: [CoordinatorAction]) -> (VersionDecision, Bool)? {
        actions.lazy.compactMap { if case .settleRollout(let decision, let promote) = $0 { (decision, promote) } else { nil } }.first
    }

    @Test func aCandidateWorseOnTheEdgesHeldOutSetsIsRejectedAndNothingIsReleased() throws {
        var h = try Self.harness()
        let started = try Self.evaluating(&h)
        let sent = Self.requests(started)
        // Three edges asked, each for the candidate (version 2) and the live version (1).
        #expect(sent.count == 6 && Set(sent.map(\.client)).count == 3)
        #expect(Set(sent.map(\.request.version)) == [1, 2] && H.events(started).contains { $0.hasPrefix("version 2 sent to 3 edges") })
        var last: [CoordinatorAction] = []
        for request in sent { last = Self.answer(&h, request, correct: request.request.version == 2 ? 30 : 45, of: 50) }
        let (decision, promote) = try #require(Self.settlement(last), "\(last)")
        #expect(!promote && decision.kind == "federated_evaluation_failed")
        #expect(decision.figures["federated.candidate.accuracy"] == 0.6 && decision.figures["federated.live.accuracy"] == 0.9)
        #expect(decision.reason.contains("candidate 60.0% vs live version 1 90.0% on 150 held-out examples"), "\(decision.reason)")
        let settled = h.instance.rolloutSettled(decision, promoted: false, now: h.clock.now)
        #expect(!settled.contains { if case .send(.modelRelease, _) = $0 { true } else { false } })
        #expect(h.instance.live.version == 1 && h.instance.evaluation == nil)
        #expect(try h.instance.startRequested(now: h.clock.now).round == 2)
    }

    @Test func aCandidateAsGoodOnTheEdgesIsPromotedToEveryClient() throws {
        var h = try Self.harness()
        var last: [CoordinatorAction] = []
        for request in Self.requests(try Self.evaluating(&h)) { last = Self.answer(&h, request, correct: 44, of: 50) }
        let (decision, promote) = try #require(Self.settlement(last))
        #expect(promote && decision.kind == "federated_evaluation_passed")
        let settled = h.instance.rolloutSettled(decision, promoted: true, now: h.clock.now)
        for id in ["a", "b", "c", "d"] {
            #expect(H.sent(settled, to: h.tokens[id]).contains { if case .modelRelease(let r) = $0 { r.version == 2 } else { false } })
        }
        #expect(h.instance.live.version == 2)
    }

    @Test func withACanaryPolicyAPassGoesToTheCohortNext() throws {
        let policy = try CanaryPolicy(fraction: 0, namedClients: ["c"], minimumDuration: .seconds(60), minimumOutcomesPerArm: 10)
        var h = try Self.harness(release: .canary(policy))
        var last: [CoordinatorAction] = []
        for request in Self.requests(try Self.evaluating(&h)) { last = Self.answer(&h, request, correct: 44, of: 50) }
        #expect(last.contains { if case .recordDecision(let d) = $0 { d.kind == "federated_evaluation_passed" } else { false } })
        #expect(H.events(last).contains("version 2 released to the canary cohort: 1 connected clients in it, 3 keep the live version"))
        #expect(h.instance.rollout?.version == 2 && h.instance.evaluation == nil)
    }

    @Test func tooFewEdgesThatCanEvaluateIsInconclusiveAndTheGateAloneDecides() throws {
        var h = try Self.harness()
        let started = try Self.evaluating(&h, evaluators: ["a"])
        #expect(Self.requests(started).isEmpty)
        let (decision, promote) = try #require(Self.settlement(started), "\(started)")
        #expect(promote && decision.kind == "federated_evaluation_inconclusive")
        #expect(decision.reason.contains("only 1 eligible client can evaluate; 2 needed"), "\(decision.reason)")
    }

    @Test func anEdgeThatLeavesOrStaysSilentEndsItAtTheTimeout() throws {
        var h = try Self.harness()
        let sent = Self.requests(try Self.evaluating(&h))
        let asked = Array(Set(sent.map(\.client))).sorted()
        for request in sent where request.client == asked[0] { _ = Self.answer(&h, request, correct: 40, of: 50) }
        let leaving = h.tokens.first { $0.value == asked[1] }!.key
        #expect(Self.settlement(h.instance.disconnected(leaving, token: asked[1], now: h.clock.now)) == nil, "one silent edge is still awaited")
        h.clock.advance(.seconds(31))
        let (decision, promote) = try #require(Self.settlement(h.instance.timerFired(now: h.clock.now)))
        #expect(promote && decision.kind == "federated_evaluation_inconclusive", "one answer of the two needed: \(decision.reason)")
    }
}
