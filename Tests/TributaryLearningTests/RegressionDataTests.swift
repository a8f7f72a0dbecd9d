import Foundation
import Testing
@testable import TributaryLearning

/// Real-valued targets: read from CSV, kept through subsets, learnt by a one-output MSE model.
@Suite struct RegressionDataTests {
    @Test func aRealValuedLabelAndATaskColumnAreReadByNameFromQuotedCRLFText() throws {
        let text = "\"g 0\",g1,\"patient\",\"next, mmol/L\"\r\n5.5,6.0,p1,6.25\r\n7,7.5,\"p2\",8\r\n"
        var options = CSVLoader.Options(label: .named("next, mmol/L"))
        options.realValuedLabel = true
        options.taskColumn = .named("patient")
        let data = try CSVLoader.parse(text, options: options)
        #expect(data.featureCount == 2 && data.features == [5.5, 6, 7, 7.5] && data.targets == [6.25, 8])
        let path = try temporaryFile(text)
        let tagged = try CSVLoader.loadTagged(path: path, options: options)
        #expect(tagged.tasks == ["p1", "p2"] && tagged.data == data)
        // Without realValuedLabel the same column is a class index, and 6.25 is not one.
        options.realValuedLabel = false
        #expect(throws: LearningError.self) { try CSVLoader.parse(text, options: options) }
    }

    @Test func badTargetsAndColumnsAreNamed() {
        var options = CSVLoader.Options(label: .named("y"))
        options.realValuedLabel = true
        #expect(reason("a,y\n1,high\n", options).contains("row 2, column 2 (y): target 'high' is not a finite number"))
        options.taskColumn = .named("y")
        #expect(reason("a,y\n1,2\n", options).contains("the task column and the label column are both column 1 (y)"))
        options.taskColumn = .named("who")
        #expect(reason("a,y\n1,2\n", options).contains("no column named 'who' (the task column) in the header a,y"))
    }

    @Test func subsetsAndAppendsKeepTargetsAndAClassifierRefusesThem() throws {
        var data = Dataset(featureCount: 1, features: [1, 2, 3], targets: [0.5, 1.5, 2.5])
        #expect(data.subset([2, 0]).targets == [2.5, 0.5])
        var empty = Dataset(featureCount: 1)
        empty.append(contentsOf: data)
        #expect(empty == data)
        data.append(features: [4], target: 3.5)
        #expect(data.count == 4 && data.target(3) == 3.5 && data.labels == [0, 0, 0, 0])
        let classifier = Fixtures.spec(width: 1, classes: 3)
        #expect(throws: LearningError.self) { try data.validate(against: classifier) }
        try data.validate(against: Fixtures.spec(width: 1, classes: 1, loss: .meanSquaredError))
    }

    @Test func aJobLearnsARealValuedTargetAndReportsMAEAndRMSE() throws {
        // y = 2·x₀ − x₁ + 7 + noise: far from the initial output, learnt by one MSE output.
        var generator = SeededGenerator(seed: 5)
        var features: [Float] = [], targets: [Float] = []
        for _ in 0..<400 {
            let x0 = generator.nextGaussian(), x1 = generator.nextGaussian()
            features += [x0, x1]
            targets.append(2 * x0 - x1 + 7 + 0.1 * generator.nextGaussian())
        }
        let data = Dataset(featureCount: 2, features: features, targets: targets)
        let plan = TrainingPlan(epochs: 20, batchSize: 16, learningRate: 0.02)
        let parent = try Checkpoint.fresh(spec: Fixtures.spec(width: 2, hidden: [16], classes: 1, loss: .meanSquaredError), seed: 1, plan: plan)
        let report = try IncrementalJob(plan: plan).run(from: parent, data: data).report
        let before = try #require(report.newDataBefore.rootMeanSquaredError), after = try #require(report.newDataAfter.rootMeanSquaredError)
        #expect(before > 5 && after < 0.5, "RMSE \(before) → \(after)")
        #expect(try #require(report.newDataAfter.meanAbsoluteError) <= after)
    }

    private func reason(_ text: String, _ options: CSVLoader.Options) -> String {
        do {
            _ = try CSVLoader.parse(text, source: "r.csv", options: options)
            return "no error"
        } catch let error as LearningError {
            return error.reason
        } catch {
            return "\(error)"
        }
    }

    private func temporaryFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-regression-\(UUID().uuidString).csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
