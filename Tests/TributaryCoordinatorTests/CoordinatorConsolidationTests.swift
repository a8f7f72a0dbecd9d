import Testing
import TributaryAggregation
@testable import TributaryCoordinator
import TributaryModelWire
import TributaryWire

/// The global EWC state follows the data: rounds keep their mean Fisher pending, and a round
/// consolidates it before its offer only when the operator announced a new task or enough of its
/// clients report drift (`aggregation.consolidate: data_change`, the default).
@Suite struct CoordinatorConsolidationTests {
    typealias T = CoordinatorInstanceTests

    func update(_ h: T.Harness, round: UInt64, base: UInt64, fisher: Float) throws -> Update {
        let layout = h.live.checkpoint.spec.parameterLayout
        let count = layout.totalCount
        return Update(roundID: round, baseModelVersion: base, numExamples: 50,
                      delta: try LearningWire.parameterSet([Float](repeating: 0.01, count: count), layout: layout),
                      fisher: try LearningWire.parameterSet((0..<count).map { Float($0 % 4) * fisher }, layout: layout))
    }

    /// Both clients answer `round` (based on `base`) with a Fisher; returns the commit's actions.
    func finish(_ h: inout T.Harness, round: UInt64, base: UInt64, fisher: Float = 2, before: (inout T.Harness) -> Void = { _ in }) throws -> [CoordinatorAction] {
        _ = h.instance.roundOpened(round, now: h.clock.now)
        _ = h.send(try update(h, round: round, base: base, fisher: fisher), from: "a")
        let closing = h.send(try update(h, round: round, base: base, fisher: fisher), from: "b")
        before(&h)
        return try h.commit(closing)
    }

    @Test func roundsKeepTheFisherPendingUntilTheOperatorAnnouncesANewTask() throws {
        var h = try T.Harness()
        _ = h.start()
        _ = h.connect("a")
        #expect(T.opened(h.connect("b"))?.id == 1)
        let second = try finish(&h, round: 1, base: 1)
        // Round 2 opens on version 2: its Fisher is pending, nothing consolidated, no EWC state offered.
        #expect(T.opened(second)?.id == 2)
        #expect(h.instance.live.ewc.consolidations == 0 && h.instance.live.ewc.age == 1 && !h.instance.live.ewc.pending.isEmpty)
        #expect(h.instance.work?.offer.ewc == nil)
        #expect(!T.events(second).contains { $0.contains("consolidated") })

        let third = try finish(&h, round: 2, base: 2) { $0.instance.taskAnnounced = true }
        #expect(T.events(third).contains("round 3 consolidated the global EWC state (consolidation 1): the operator announced a new task"),
                "\(T.events(third))")
        #expect(!h.instance.taskAnnounced)
        let work = try #require(h.instance.work)
        #expect(work.ewc.consolidations == 1 && work.ewc.pending.isEmpty && work.ewc.anchor == h.instance.live.parameters)
        // Normalised: the offered Fisher has mean 1 over the parameters.
        let fisher = work.ewc.fisher
        #expect(abs(fisher.reduce(0, +) / Float(fisher.count) - 1) < 1e-4)
        #expect(work.offer.ewc != nil)
    }

    @Test func clientsReportingDriftMakeTheNextRoundConsolidate() throws {
        var h = try T.Harness()
        _ = h.start()
        _ = h.connect("a")
        _ = h.connect("b")
        _ = try finish(&h, round: 1, base: 1)
        let facts = DeviceFacts(examplesAvailable: 100, charging: true, meteredNetwork: false, modelVersion: 2)
        let third = try finish(&h, round: 2, base: 2) { h in
            for id in ["a", "b"] { _ = h.instance.ready(Ready(device: facts, trigger: "drift"), from: id, token: h.tokens[id]!, now: h.clock.now) }
        }
        #expect(T.events(third).contains("round 3 consolidated the global EWC state (consolidation 1): 2 of 2 selected clients report drift or an accuracy drop"),
                "\(T.events(third))")
        // Those reports are used up: the next round keeps its Fisher pending.
        let fourth = try finish(&h, round: 3, base: 3)
        #expect(T.opened(fourth)?.id == 4 && !T.events(fourth).contains { $0.contains("consolidated") }, "\(T.events(fourth))")
    }

    @Test func aScheduleConsolidatesEveryNRounds() throws {
        var ewc = GlobalEWCState()
        let policy = ConsolidationPolicy(trigger: .everyRounds(2))
        ewc = try ewc.closingRound(meanFisher: [1, 3], parameters: [0, 0], policy: policy)
        #expect(!policy.isDue(ewc, dataChanged: false))
        ewc = try ewc.closingRound(meanFisher: [1, 3], parameters: [0, 0], policy: policy)
        #expect(policy.isDue(ewc, dataChanged: false))
    }
}
