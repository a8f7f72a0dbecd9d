import Testing
import TributaryExperiments

/// Issue 13's bar on the suite's own scenarios (seeds 0–4, as `tributary suite --scenario S
/// --seeds 0-4` runs them): EWC + replay, centralised and federated, is never more than a point
/// below replay alone, and at least 10 points above naive training wherever naive forgets more
/// than 20 points.
@Suite(.serialized) struct QualitySuiteBarTests {
    @Test(arguments: [SuiteScenario.rotatedDigits, .glyphs, .driftingClusters])
    func ewcWithReplayIsNeverWorseThanReplayAlone(scenario: SuiteScenario) async throws {
        var suite = QualitySuite(scenario: scenario, seeds: [0, 1, 2, 3, 4],
                                 methods: [.naive, .replay, .ewcReplay, .fedReplay, .fedEWCReplay])
        suite.digitsPath = QualityBarTests.digitsPath
        let report = try await offThePool { [suite] in try suite.run() }
        func acc(_ method: SuiteMethod) throws -> Double { try #require(report.row(method)).acc.mean }
        let table = report.table(markdown: true)
        #expect(try acc(.ewcReplay) >= acc(.replay) - 0.01, "centralised, \(scenario.rawValue):\n\(table)")
        #expect(try acc(.fedEWCReplay) >= acc(.fedReplay) - 0.01, "federated, \(scenario.rawValue):\n\(table)")
        let naive = try #require(report.row(.naive))
        if naive.bwt.mean < -0.20 {
            #expect(try acc(.ewcReplay) >= naive.acc.mean + 0.10, "\(table)")
            #expect(try acc(.fedEWCReplay) >= naive.acc.mean + 0.10, "\(table)")
        }
    }
}
