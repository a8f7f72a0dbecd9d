import Foundation
import Testing
import TributaryExperiments

@Suite struct FaultPlanTests {
    @Test func sameSeedSameFaultsAndDisjointDropSlow() {
        let configuration = FaultConfiguration(dropFraction: 0.2, slowFraction: 0.1, restartFraction: 0.05)
        let plan = FaultPlan(configuration: configuration, clients: 50, seed: 7)
        let first = plan.faults(round: 3)
        #expect(first == FaultPlan(configuration: configuration, clients: 50, seed: 7).faults(round: 3))
        #expect(first.drop.count == 10 && first.slow.count == 5 && first.restart.count == 3)
        #expect(first.drop.isDisjoint(with: first.slow))
        #expect(first != plan.faults(round: 4))
        #expect(first.drop.allSatisfy { (0..<50).contains($0) })
    }

    @Test func noFaultsByDefault() {
        #expect(FaultPlan(configuration: FaultConfiguration(), clients: 10, seed: 1).faults(round: 1) == RoundFaults())
    }

    @Test func invalidFractionsAreNamed() {
        #expect(throws: (any Error).self) { try FaultConfiguration(dropFraction: 1.5).validate() }
        let error = #expect(throws: (any Error).self) { try FaultConfiguration(dropFraction: 0.7, slowFraction: 0.5).validate() }
        #expect("\(error!)".contains("--drop 0.7"))
    }
}

@Suite struct SimulationReportTests {
    func round(task: Int, _ index: Int, accuracy: [Double]) -> SimulationReport.Round {
        SimulationReport.Round(task: task, roundInTask: index, roundID: UInt64(task * 2 + index + 1), outcome: "promoted",
                               version: UInt64(task * 2 + index + 2), offered: 13, accepted: 10, refused: 0, dropped: 3, slow: 0,
                               restarted: 0, accuracy: accuracy, bytesFromClients: 1000, bytesToClients: 2000, wallSeconds: 0.5)
    }

    @Test func matrixTakesTheLastRoundOfEachTask() throws {
        let report = SimulationReport(
            scenario: "split", clients: 10, partition: "dirichlet(0.5)", taskNames: ["a", "b"], roundsPerTask: 2,
            faults: FaultConfiguration(), seed: 7,
            rounds: [round(task: 0, 0, accuracy: [0.5, 0.1]), round(task: 0, 1, accuracy: [0.9, 0.1]),
                     round(task: 1, 0, accuracy: [0.7, 0.6]), round(task: 1, 1, accuracy: [0.8, 0.9])],
            baseline: [0.1, 0.1], totalWallSeconds: 2)
        #expect(report.matrix.values == [[0.9, 0.1], [0.8, 0.9]])
        #expect(abs(report.acc - 0.85) < 1e-12)
        #expect(abs(report.bwt - (-0.1)) < 1e-12)
        let decoded = try JSONDecoder().decode(SimulationReport.self, from: Data(report.json()))
        #expect(decoded == report)
        #expect(report.chart(title: "t").hasPrefix("<svg"))
        #expect(report.roundTable().split(separator: "\n").count == 5)
    }
}

@Suite struct DishonestPlanTests {
    @Test func theSameSeededClientsLieAllRunAndOldReportsStillRead() throws {
        let plan = FaultPlan(configuration: FaultConfiguration(dishonestFraction: 0.2, dishonestKind: .scale), clients: 10, seed: 7)
        #expect(plan.dishonest.count == 2)
        #expect(plan.dishonest == FaultPlan(configuration: plan.configuration, clients: 10, seed: 7).dishonest)
        #expect(FaultPlan(configuration: FaultConfiguration(), clients: 10, seed: 7).dishonest.isEmpty)
        let error = #expect(throws: (any Error).self) { try FaultConfiguration(dishonestFraction: 1.5).validate() }
        #expect("\(error!)".contains("--dishonest is 1.5"))
        let old = #"{"dropFraction":0.1,"slowFraction":0,"slowDelay":[1,0],"restartFraction":0}"#
        let decoded = try JSONDecoder().decode(FaultConfiguration.self, from: Data(old.utf8))
        #expect(decoded.dishonestFraction == 0 && decoded.dropFraction == 0.1)
    }
}
