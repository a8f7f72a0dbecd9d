import Foundation
import Testing
import TributaryExperiments
import TributaryLearning
import TributarySimulation

/// Users' own CSVs through a real fleet: a coordinator and edge agents over loopback mTLS.
@Suite(.serialized) struct UserDataSimulationTests {
    func configuration(clients: Int, data: CSVTaskSource) -> SimulationConfiguration {
        var configuration = SimulationConfiguration(workDirectory: NSTemporaryDirectory() + "tributary-sim-user-\(UUID().uuidString)")
        configuration.userData = data
        configuration.clients = clients
        configuration.roundsPerTask = 3
        configuration.partition = .iid
        configuration.gate = PromotionGate()
        return configuration
    }

    /// The wearable-health example: a glucose forecast, one task per patient, MSE with one output;
    /// the edges report RMSE, the coordinator's gate judges RMSE on its held-out sets.
    @Test func aGlucoseRegressionFleetPromotesOnRMSE() async throws {
        let csv = NSTemporaryDirectory() + "glucose-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: csv) }
        try GlucoseForecast.csv().write(toFile: csv, atomically: true, encoding: .utf8)
        var configuration = configuration(clients: 4, data: CSVTaskSource(
            path: csv, label: .named("glucose_30min"), split: .column(.named("patient")), regression: true))
        configuration.federated.replayPerClient = 0
        configuration.federated.replayBatchSize = nil
        defer { try? FileManager.default.removeItem(atPath: configuration.workDirectory) }
        let report = try await Simulation(configuration: configuration).run()

        #expect(report.taskNames == ["p1", "p2", "p3"] && report.scenario == "csv:" + csv)
        #expect(report.rounds.count == 9)
        // The first round learns the first patient: promoted, its RMSE below the untrained model's.
        #expect(report.rounds[0].outcome == "promoted", "\(report.rounds.map(\.outcome))")
        #expect(report.matrix.values[0][0] < report.matrix.baseline[0], "\(report.matrix.values)")
        // MAE comes with every promoted version, and never exceeds its RMSE.
        let promoted = try #require(report.rounds.last { $0.outcome == "promoted" })
        let mae = try #require(promoted.meanAbsoluteError)
        #expect(mae.count == 3 && zip(mae, promoted.accuracy).allSatisfy { $0 > 0 && $0 <= $1 + 1e-9 }, "\(mae) \(promoted.accuracy)")
        // Every promoted version beat predicting the mean of the first patient's held-out readings.
        let tasks = try configuration.userData!.tasks(seed: configuration.seed)
        let floor = 0.95 * Evaluation.constantPredictorRMSE(on: tasks[0].test)
        for round in report.rounds where round.outcome == "promoted" && round.task == 0 {
            #expect(round.accuracy[0] <= floor + 1e-9, "round \(round.roundID): RMSE \(round.accuracy[0]), floor \(floor)")
        }
    }

    /// A fleet that learns nothing never promotes: labels independent of the features.
    @Test func aFleetThatLearnsNothingNeverPromotes() async throws {
        let csv = NSTemporaryDirectory() + "noise-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: csv) }
        var generator = SeededGenerator(seed: 12)
        var text = "a,b,c,d,activity\r\n"
        for _ in 0..<800 {
            text += (0..<4).map { _ in String(format: "%.3f", generator.nextGaussian() * 1000) }.joined(separator: ",")
            text += ",\(generator.nextInt(below: 4))\r\n"
        }
        try text.write(toFile: csv, atomically: true, encoding: .utf8)
        let configuration = configuration(clients: 3, data: CSVTaskSource(path: csv, label: .named("activity")))
        defer { try? FileManager.default.removeItem(atPath: configuration.workDirectory) }
        let report = try await Simulation(configuration: configuration).run()

        #expect(report.rounds.map(\.outcome) == ["rejected", "rejected", "rejected"])
        #expect(report.rounds.allSatisfy { $0.version == 1 })
    }
}
