/// A seeded synthetic stream with concept drift: a rotating hyperplane (Hulten et al. 2001).
///
/// Examples are uniform in [0, 1]^d; the label is 1 when Σⱼ wⱼ xⱼ ≥ ½ Σⱼ wⱼ. After every example
/// the weights move by `driftPerExample` in a per-dimension direction that reverses with
/// probability `reversalProbability`, and `abruptDriftAt` (when set) inverts the concept at once.
/// Labels are flipped with probability `noise`.
public struct DriftingStream: Sendable {
    public var dimensions: Int
    public var driftPerExample: Float
    public var reversalProbability: Float
    public var noise: Float
    public var abruptDriftAt: Int?
    private var weights: [Float]
    private var directions: [Float]
    private var generator: SeededGenerator
    private var inverted = false
    public private(set) var produced: Int = 0

    public init(dimensions: Int, seed: UInt64, driftPerExample: Float = 0, reversalProbability: Float = 0.1, noise: Float = 0, abruptDriftAt: Int? = nil) {
        precondition(dimensions > 0, "DriftingStream dimensions must be positive, got \(dimensions)")
        self.dimensions = dimensions
        self.driftPerExample = driftPerExample
        self.reversalProbability = reversalProbability
        self.noise = noise
        self.abruptDriftAt = abruptDriftAt
        var generator = SeededGenerator(seed: seed)
        self.weights = (0..<dimensions).map { _ in generator.nextUnitFloat() }
        self.directions = (0..<dimensions).map { _ in generator.nextUnitFloat() < 0.5 ? -1 : 1 }
        self.generator = generator
    }

    /// The next `count` examples as a data set (labels 0 and 1).
    public mutating func next(_ count: Int) -> Dataset {
        var data = Dataset(featureCount: dimensions)
        for _ in 0..<count {
            if produced == abruptDriftAt { inverted.toggle() }
            let x = (0..<dimensions).map { _ in generator.nextUnitFloat() }
            var score: Float = 0, threshold: Float = 0
            for j in 0..<dimensions {
                score += weights[j] * x[j]
                threshold += weights[j]
            }
            var label: Int32 = (score >= threshold / 2) != inverted ? 1 : 0
            if noise > 0, generator.nextUnitFloat() < noise { label = 1 - label }
            data.append(features: x, label: label)
            for j in 0..<dimensions {
                if generator.nextUnitFloat() < reversalProbability { directions[j] = -directions[j] }
                weights[j] += directions[j] * driftPerExample
            }
            produced += 1
        }
        return data
    }
}
