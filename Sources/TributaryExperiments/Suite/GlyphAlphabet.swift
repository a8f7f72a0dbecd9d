import Foundation
import TributaryLearning

/// A generated, seeded image data set with twelve classes, learnt class-incrementally in four
/// tasks of three classes ({0,1,2}, {3,4,5}, …) with one shared 12-way head.
///
/// Each class is a glyph: two or three strokes (line segments between points drawn uniformly in
/// the inner 8×8 of a 10×10 canvas) fixed by `alphabetSeed`, so every seed learns the same
/// alphabet. An example is its class's glyph with each stroke end moved by N(0, `jitter`²) pixels
/// and the whole glyph shifted by U(−1, 1) pixels in x and y, drawn with ink exp(−d²/(2·0.5²)) at
/// distance d from the nearest stroke, plus N(0, `noise`²) pixel noise, clamped to [0, 1]. The
/// examples, their split and everything trained on them follow the run's seed.
public struct GlyphAlphabet: Sendable {
    public static let side = 10
    public static let defaultAlphabetSeed: UInt64 = 0x6C79_7068 // "glyph"

    /// A line segment on the canvas, in pixels (x right, y down).
    public struct Stroke: Sendable {
        public var from: (x: Double, y: Double)
        public var to: (x: Double, y: Double)
    }

    public var classCount: Int
    public var classesPerTask: Int
    public var trainPerClass: Int
    public var testPerClass: Int
    public var jitter: Double
    public var noise: Float
    /// glyphs[c]: the strokes of class c.
    public private(set) var glyphs: [[Stroke]]

    public init(classCount: Int = 12, classesPerTask: Int = 3, trainPerClass: Int = 100, testPerClass: Int = 40,
                jitter: Double = 0.5, noise: Float = 0.2, alphabetSeed: UInt64 = GlyphAlphabet.defaultAlphabetSeed) {
        precondition(classCount > 0 && classesPerTask > 0 && classCount % classesPerTask == 0,
                     "GlyphAlphabet: \(classCount) classes do not split into tasks of \(classesPerTask)")
        self.classCount = classCount
        self.classesPerTask = classesPerTask
        self.trainPerClass = trainPerClass
        self.testPerClass = testPerClass
        self.jitter = jitter
        self.noise = noise
        var generator = SeededGenerator(seed: alphabetSeed)
        func point() -> (x: Double, y: Double) {
            (1 + 8 * Double(generator.nextUnitFloat()), 1 + 8 * Double(generator.nextUnitFloat()))
        }
        glyphs = (0..<classCount).map { _ in
            (0..<(2 + generator.nextInt(below: 2))).map { _ in Stroke(from: point(), to: point()) }
        }
    }

    /// The tasks: `classCount / classesPerTask` of them, consecutive classes per task.
    public func tasks(seed: UInt64) -> [ContinualTask] {
        var generator = SeededGenerator(seed: seed)
        return stride(from: 0, to: classCount, by: classesPerTask).map { first in
            let classes = (first..<(first + classesPerTask)).map { Int32($0) }
            var train = Dataset(featureCount: Self.side * Self.side), test = train
            for label in classes {
                for _ in 0..<trainPerClass { train.append(features: draw(label, generator: &generator), label: label) }
                for _ in 0..<testPerClass { test.append(features: draw(label, generator: &generator), label: label) }
            }
            return ContinualTask(name: "glyphs " + classes.map(String.init).joined(separator: ","), train: train, test: test, classes: classes)
        }
    }

    /// One noisy example of class `label`.
    public func draw(_ label: Int32, generator: inout SeededGenerator) -> [Float] {
        let shift = (x: 2 * Double(generator.nextUnitFloat()) - 1, y: 2 * Double(generator.nextUnitFloat()) - 1)
        let strokes = glyphs[Int(label)].map { stroke in
            Stroke(from: (stroke.from.x + shift.x + jitter * Double(generator.nextGaussian()), stroke.from.y + shift.y + jitter * Double(generator.nextGaussian())),
                   to: (stroke.to.x + shift.x + jitter * Double(generator.nextGaussian()), stroke.to.y + shift.y + jitter * Double(generator.nextGaussian())))
        }
        var image = [Float](repeating: 0, count: Self.side * Self.side)
        for row in 0..<Self.side {
            for column in 0..<Self.side {
                let p = (x: Double(column) + 0.5, y: Double(row) + 0.5)
                let distance = strokes.map { Self.distance(p, $0) }.min()!
                let ink = Float(exp(-distance * distance / (2 * 0.25))) + noise * generator.nextGaussian()
                image[row * Self.side + column] = min(max(ink, 0), 1)
            }
        }
        return image
    }

    static func distance(_ p: (x: Double, y: Double), _ s: Stroke) -> Double {
        let (dx, dy) = (s.to.x - s.from.x, s.to.y - s.from.y)
        let length2 = dx * dx + dy * dy
        let t = length2 > 0 ? min(max(((p.x - s.from.x) * dx + (p.y - s.from.y) * dy) / length2, 0), 1) : 0
        let (ex, ey) = (s.from.x + t * dx - p.x, s.from.y + t * dy - p.y)
        return (ex * ex + ey * ey).squareRoot()
    }
}
