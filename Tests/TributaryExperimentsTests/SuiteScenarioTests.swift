import Foundation
import Testing
import TributaryExperiments
import TributaryLearning

/// The quality suite's scenarios are what docs/algorithms.md says they are.
@Suite struct SuiteScenarioTests {
    static let digitsPath = QualityBarTests.digitsPath

    @Test func rotatedDigitsKeepTheTenClassesAndTurnFurtherEachTask() throws {
        let tasks = try SuiteScenario.rotatedDigits.tasks(seed: 3, digitsPath: Self.digitsPath)
        #expect(tasks.map(\.name) == ["rotated 0°", "rotated 30°", "rotated 60°", "rotated 90°", "rotated 120°"])
        for task in tasks {
            #expect(task.classes == Array(0..<10))
            #expect(task.train.classes == Array(0..<10) && task.test.classes == Array(0..<10))
            #expect(task.train.labels == tasks[0].train.labels, "the same images in every task")
            #expect(task.train.features.allSatisfy { $0 >= 0 && $0 <= 1 })
        }
        // Task 0 is the upright digits scaled to [0, 1].
        let (train, _) = DigitsBenchmark.stratifiedSplit(try DigitsBenchmark.load(path: Self.digitsPath), seed: 3)
        #expect(tasks[0].train.features == train.features.map { $0 / 16 })
        // Every task's images differ from every other's ...
        for i in tasks.indices {
            for j in tasks.indices where j > i {
                #expect(meanAbsoluteDifference(tasks[i].train, tasks[j].train) > 0.1, "tasks \(i) and \(j)")
            }
        }
        // ... and a quarter turn is exactly the upright image turned clockwise as displayed: out[r][c] = in[7 − c][r].
        let upright = tasks[0].train, turned = tasks[3].train
        for row in [0, 100, 700] {
            for r in 0..<8 {
                for c in 0..<8 { #expect(abs(turned.row(row)[row * 64 + r * 8 + c] - upright.row(row)[row * 64 + (7 - c) * 8 + r]) < 1e-5) }
            }
        }
    }

    @Test func glyphsAreTwelveClassesInFourTasksOfThree() throws {
        let tasks = try SuiteScenario.glyphs.tasks(seed: 5)
        #expect(tasks.map(\.classes) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 10, 11]])
        for task in tasks {
            #expect(task.train.classes == task.classes && task.test.classes == task.classes)
            #expect(task.train.count == 300 && task.test.count == 120)
            #expect(task.train.featureCount == 100)
            #expect(task.train.features.allSatisfy { $0 >= 0 && $0 <= 1 })
        }
        #expect(try tasks.modelSpec(hidden: [64]).outputSize == 12)
        // The classes are drawn apart: the nearest class mean of the training images labels most test images.
        let all = tasks.reduce(into: (train: Dataset(featureCount: 100), test: Dataset(featureCount: 100))) {
            $0.train.append(contentsOf: $1.train)
            $0.test.append(contentsOf: $1.test)
        }
        #expect(nearestMeanAccuracy(train: all.train, test: all.test) > 0.8)
    }

    @Test func driftingClustersMoveTheirMeansEachTask() {
        let stream = DriftingClusters()
        let tasks = stream.tasks(seed: 2)
        let means = stream.means(seed: 2)
        #expect(tasks.count == 5)
        for (t, task) in tasks.enumerated() {
            #expect(task.classes == Array(0..<6) && task.train.classes == task.classes && task.test.classes == task.classes)
            #expect(task.train.count == 6 * 80 && task.test.count == 6 * 40)
            // The training data sits around that task's means ...
            for c in 0..<6 {
                let rows = task.train.labels.indices.filter { task.train.labels[$0] == Int32(c) }
                let centre = (0..<8).map { j in rows.reduce(Float(0)) { $0 + task.train.row($1)[$1 * 8 + j] } / Float(rows.count) }
                let nearest = means.indices.min { distance(centre, means[$0][c]) < distance(centre, means[$1][c]) }
                #expect(nearest == t && distance(centre, means[t][c]) < 0.9, "task \(t) class \(c)")
            }
        }
        // ... which turn 10° round a circle of radius 8 each task (a chord of 2R sin 5°), 40° by
        // the last task, while neighbouring classes stay 60° apart.
        let chord = { (degrees: Double) in 2 * 8 * Float(sin(degrees * Double.pi / 360)) }
        for c in 0..<6 {
            #expect(abs(distance(means[1][c], means[0][c]) - chord(10)) < 1e-3)
            #expect(abs(distance(means[4][c], means[0][c]) - chord(40)) < 1e-3)
            #expect(abs(distance(means[0][(c + 1) % 6], means[0][c]) - chord(60)) < 1e-3)
        }
    }

    @Test(arguments: [SuiteScenario.rotatedDigits, .glyphs, .driftingClusters])
    func theSameSeedGivesTheSameTasksAndAnotherSeedOthers(_ scenario: SuiteScenario) throws {
        let a = try scenario.tasks(seed: 11, digitsPath: Self.digitsPath)
        let b = try scenario.tasks(seed: 11, digitsPath: Self.digitsPath)
        let c = try scenario.tasks(seed: 12, digitsPath: Self.digitsPath)
        #expect(a.map(\.train) == b.map(\.train) && a.map(\.test) == b.map(\.test))
        #expect(a.map(\.train) != c.map(\.train))
        #expect(a.map(\.name) == c.map(\.name) && a.map(\.classes) == c.map(\.classes))
    }

    func meanAbsoluteDifference(_ a: Dataset, _ b: Dataset) -> Float {
        zip(a.features, b.features).reduce(0) { $0 + abs($1.0 - $1.1) } / Float(a.features.count)
    }

    func distance(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
    }

    func nearestMeanAccuracy(train: Dataset, test: Dataset) -> Double {
        let width = train.featureCount
        let centres = train.classes.map { label in
            let rows = train.labels.indices.filter { train.labels[$0] == label }
            return (0..<width).map { j in rows.reduce(Float(0)) { $0 + train.features[$1 * width + j] } / Float(rows.count) }
        }
        let correct = (0..<test.count).filter { row in
            let x = Array(test.row(row))
            let nearest = centres.indices.min { distance(x, centres[$0]) < distance(x, centres[$1]) }!
            return train.classes[nearest] == test.labels[row]
        }.count
        return Double(correct) / Double(test.count)
    }
}
