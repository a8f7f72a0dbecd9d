import Foundation
import TributaryLearning

/// A gradual-drift stream cut into tasks: `classCount` Gaussian classes in `dimensions`
/// features, all present in every task, whose class-conditional means move a little each task.
///
/// The means sit evenly on a circle of radius `radius` in a random plane (an orthonormal pair
/// a, b and a phase φ₀ drawn from the seed): class c's mean in task t is
/// μ_c(t) = R(cos φ a + sin φ b) with φ = φ₀ + 2πc/K + t·`degreesPerTask`, and its examples are
/// x ~ N(μ_c(t), I). Each task turns every mean a little further round the circle (10° a task
/// against 60° between neighbouring classes), so by the last task a class has moved two thirds of
/// the way towards where its neighbour started: a learner that follows only the newest data
/// misreads the oldest, while all tasks together stay separable. Each task has `trainPerClass`
/// training and `testPerClass` test examples per class, drawn fresh from that task's distribution.
public struct DriftingClusters: Sendable {
    public var classCount: Int
    public var dimensions: Int
    public var taskCount: Int
    public var radius: Float
    public var degreesPerTask: Double
    public var trainPerClass: Int
    public var testPerClass: Int

    public init(classCount: Int = 6, dimensions: Int = 8, taskCount: Int = 5, radius: Float = 8, degreesPerTask: Double = 10,
                trainPerClass: Int = 80, testPerClass: Int = 40) {
        precondition(classCount > 1 && dimensions > 1 && taskCount > 0, "DriftingClusters(classes: \(classCount), dimensions: \(dimensions), tasks: \(taskCount))")
        self.classCount = classCount
        self.dimensions = dimensions
        self.taskCount = taskCount
        self.radius = radius
        self.degreesPerTask = degreesPerTask
        self.trainPerClass = trainPerClass
        self.testPerClass = testPerClass
    }

    /// `means(seed)[t][c]`: class c's mean in task t.
    public func means(seed: UInt64) -> [[[Float]]] {
        var generator = SeededGenerator(seed: seed)
        // The plane: two Gaussian vectors, orthonormalised (Gram–Schmidt).
        let normalised = { (v: [Float]) in v.map { $0 / max(v.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-6) } }
        let a = normalised((0..<dimensions).map { _ in generator.nextGaussian() })
        let g = (0..<dimensions).map { _ in generator.nextGaussian() }
        let projection = zip(a, g).reduce(0) { $0 + $1.0 * $1.1 }
        let b = normalised(zip(g, a).map { $0 - projection * $1 })
        let phase = 2 * Double.pi * Double(generator.nextUnitFloat())
        return (0..<taskCount).map { t in
            (0..<classCount).map { c in
                let angle = phase + 2 * Double.pi * Double(c) / Double(classCount) + Double(t) * degreesPerTask * Double.pi / 180
                let (x, y) = (radius * Float(cos(angle)), radius * Float(sin(angle)))
                return zip(a, b).map { x * $0 + y * $1 }
            }
        }
    }

    public func tasks(seed: UInt64) -> [ContinualTask] {
        let means = means(seed: seed)
        var generator = SeededGenerator(seed: seed &+ 0x5EED)
        let classes = (0..<classCount).map { Int32($0) }
        func sample(_ centres: [[Float]], perClass: Int) -> Dataset {
            var data = Dataset(featureCount: dimensions)
            for _ in 0..<perClass {
                for label in classes { data.append(features: centres[Int(label)].map { $0 + generator.nextGaussian() }, label: label) }
            }
            return data
        }
        return means.enumerated().map { t, centres in
            let train = sample(centres, perClass: trainPerClass)
            return ContinualTask(name: "drift step \(t)", train: train, test: sample(centres, perClass: testPerClass), classes: classes)
        }
    }
}
