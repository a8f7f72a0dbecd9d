import TributaryLearning

/// The continual scenarios of the quality suite (docs/algorithms.md describes each): the two
/// digits protocols and three beyond them. Every scenario's tasks follow from a seed alone
/// (and, for the digits ones, the digits CSV).
public enum SuiteScenario: String, Sendable, CaseIterable, Codable {
    /// Class-incremental digits: 5 tasks of 2 classes ({0,1}, …), one 10-way head.
    case splitDigits = "split-digits"
    /// 5 tasks of all 10 digits, each under its own pixel permutation.
    case permutedDigits = "permuted-digits"
    /// Domain-incremental: 5 tasks of all 10 digits rotated 0°, 30°, …, 120°.
    case rotatedDigits = "rotated-digits"
    /// Class-incremental on generated glyphs: 12 classes in 4 tasks of 3, one 12-way head.
    case glyphs
    /// Gradual drift: 6 Gaussian classes whose means move each task, 5 tasks.
    case driftingClusters = "drifting-clusters"

    /// True when the scenario reads the digits CSV.
    public var usesDigits: Bool {
        switch self {
        case .splitDigits, .permutedDigits, .rotatedDigits: true
        case .glyphs, .driftingClusters: false
        }
    }

    /// The scenario's tasks for `seed`; `digitsPath` is read only by the digits scenarios.
    public func tasks(seed: UInt64, digitsPath: String = "data/digits.csv") throws -> [ContinualTask] {
        switch self {
        case .splitDigits: DigitsBenchmark.tasks(.split, data: try DigitsBenchmark.load(path: digitsPath), seed: seed)
        case .permutedDigits: DigitsBenchmark.tasks(.permuted, data: try DigitsBenchmark.load(path: digitsPath), seed: seed)
        case .rotatedDigits: RotatedDigits.tasks(data: try DigitsBenchmark.load(path: digitsPath), seed: seed)
        case .glyphs: GlyphAlphabet().tasks(seed: seed)
        case .driftingClusters: DriftingClusters().tasks(seed: seed)
        }
    }

    /// The names, for help texts and errors.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
