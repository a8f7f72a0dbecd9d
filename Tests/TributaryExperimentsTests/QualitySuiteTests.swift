import Foundation
import Testing
import TributaryExperiments
import TributaryLearning

/// The suite runs every method over seeds and reports mean ± std (small settings: 2 seeds, few
/// rounds; docs/benchmarks.md has the full tables).
@Suite struct QualitySuiteTests {
    @Test func everyMethodRunsForEverySeedAndTheTableShowsMeanAndSpread() throws {
        var suite = QualitySuite(scenario: .glyphs, seeds: [0, 1])
        suite.continual.epochs = 2
        suite.federated.roundsPerTask = 2
        let report = try suite.run()
        #expect(report.rows.map(\.method) == SuiteMethod.allCases)
        #expect(report.seeds == [0, 1])
        for row in report.rows {
            #expect(row.runs.count == 2)
            for run in row.runs {
                #expect(run.matrix.taskCount == 4)
                #expect(run.matrix.values.joined().allSatisfy { (0...1).contains($0) })
            }
            let accs = row.runs.map(\.matrix.averageAccuracy)
            #expect(abs(row.acc.mean - (accs[0] + accs[1]) / 2) < 1e-12)
            #expect(abs(row.acc.std - abs(accs[0] - accs[1]) / 2.squareRoot()) < 1e-12)
        }
        // The seeds differ, so the runs do.
        #expect(report.row(.naive)!.runs[0].matrix != report.row(.naive)!.runs[1].matrix)
        // Class-incremental with no protection forgets: the naive learner ends on its newest classes.
        let naive = report.row(.naive)!
        #expect(naive.bwt.mean < -0.3, "naive BWT \(naive.bwt.mean)")
        #expect(naive.newestTask.mean > naive.acc.mean + 0.2, "naive newest task \(naive.newestTask.mean), ACC \(naive.acc.mean)")

        let markdown = report.table(markdown: true)
        let lines = markdown.split(separator: "\n").map(String.init)
        #expect(lines.contains("| method | ACC % | BWT (points) | newest task % | ACC per seed (0, 1) |"))
        #expect(lines.filter { $0.hasPrefix("| ") }.count == 2 + SuiteMethod.allCases.count, "header, rule, one row per method")
        let joint = try #require(lines.first { $0.hasPrefix("| joint |") })
        #expect(joint.contains(report.row(.joint)!.acc.percent))
        #expect(report.table(markdown: false).contains("fed-ewc+replay"))
    }

    @Test func theSameSeedsGiveTheSameReport() throws {
        var suite = QualitySuite(scenario: .driftingClusters, seeds: [4], methods: [.ewcReplay, .fedReplay])
        suite.continual.epochs = 1
        suite.federated.roundsPerTask = 1
        let a = try suite.run(), b = try suite.run()
        #expect(a.rows.map { $0.runs.map(\.matrix) } == b.rows.map { $0.runs.map(\.matrix) })
    }

    @Test func federatedMethodsKeepTheBaseFleetAndDropWhatTheyLeaveOut() throws {
        var base = FederatedConfiguration()
        base.clients = 4
        base.roundsPerTask = 3
        base.dirichletAlpha = nil
        let fedAvg = try #require(SuiteMethod.fedAvg.federated(base))
        #expect(fedAvg.replayPerClient == 0 && fedAvg.ewcLambda == 0)
        #expect(fedAvg.clients == 4 && fedAvg.roundsPerTask == 3 && fedAvg.dirichletAlpha == nil)
        let replay = try #require(SuiteMethod.fedReplay.federated(base))
        #expect(replay.ewcLambda == 0 && replay.replayPerClient == base.replayPerClient && replay.replayPerClient > 0)
        let both = try #require(SuiteMethod.fedEWCReplay.federated(base))
        #expect(both.ewcLambda == base.ewcLambda && both.ewcLambda > 0 && both.replayPerClient == base.replayPerClient)
        for method in SuiteMethod.allCases where !method.isFederated { #expect(method.federated(base) == nil) }
    }

    @Test func jointTrainsOnEverythingSeenSoFar() throws {
        let tasks = try SuiteScenario.glyphs.tasks(seed: 1)
        let joint = tasks.cumulative
        #expect(joint.map(\.train.count) == [300, 600, 900, 1200])
        #expect(joint.map(\.classes) == [[0, 1, 2], [0, 1, 2, 3, 4, 5], Array(0..<9), Array(0..<12)])
        #expect(joint.map(\.test) == tasks.map(\.test))
    }

    @Test func seedsAndMethodsParseOrNameTheBadValue() throws {
        #expect(try QualitySuite.seeds("0,1,2,3,4") == [0, 1, 2, 3, 4])
        #expect(try QualitySuite.seeds("2-5") == [2, 3, 4, 5])
        #expect(try SuiteMethod.list("naive,fed-ewc+replay") == [.naive, .fedEWCReplay])
        for (text, named) in [("0,x,2", "'x'"), ("1,,2", "''"), ("5-2", "(5 > 2)"), ("3,3", "repeat")] {
            let error = #expect(throws: LearningError.self) { try QualitySuite.seeds(text) }
            #expect(error?.reason.contains(named) == true, "\(text): \(error?.reason ?? "")")
        }
        let error = #expect(throws: LearningError.self) { try SuiteMethod.list("naive,fedprox") }
        #expect(error?.reason.contains("'fedprox'") == true)
    }
}
