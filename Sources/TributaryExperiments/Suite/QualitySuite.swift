import Foundation
import TributaryLearning

/// The quality suite: every method on one scenario for each seed, and the ACC, BWT and
/// newest-task accuracy of each as mean ± std over the seeds. A seed fixes the scenario's data,
/// the clients' shares and every model's initialisation and minibatches.
public struct QualitySuite: Sendable {
    public var scenario: SuiteScenario
    public var seeds: [UInt64]
    public var methods: [SuiteMethod]
    /// The centralised methods' settings (its seed is replaced by each run's).
    public var continual = ContinualConfiguration()
    /// The federated EWC + replay settings the other federated methods are derived from.
    public var federated = FederatedConfiguration()
    public var digitsPath = "data/digits.csv"

    public init(scenario: SuiteScenario, seeds: [UInt64], methods: [SuiteMethod] = SuiteMethod.allCases) {
        self.scenario = scenario
        self.seeds = seeds
        self.methods = methods
    }

    /// Runs every method for every seed; `progress` hears each (seed, method) before it starts.
    public func run(progress: ((_ seed: UInt64, _ method: SuiteMethod) -> Void)? = nil) throws -> SuiteReport {
        guard !seeds.isEmpty else { throw LearningError(.invalidConfiguration, "the suite needs at least one seed; got none") }
        guard !methods.isEmpty else { throw LearningError(.invalidConfiguration, "the suite needs at least one method; got none") }
        var runs = [[SuiteReport.Run]](repeating: [], count: methods.count)
        for seed in seeds {
            let tasks = try scenario.tasks(seed: seed, digitsPath: digitsPath)
            for (index, method) in methods.enumerated() {
                progress?(seed, method)
                runs[index].append(SuiteReport.Run(seed: seed, matrix: try run(method, tasks: tasks, seed: seed)))
            }
        }
        return SuiteReport(
            scenario: scenario, taskNames: try scenario.tasks(seed: seeds[0], digitsPath: digitsPath).map(\.name),
            rows: zip(methods, runs).map { SuiteReport.Row(method: $0, runs: $1) })
    }

    /// One method's accuracy matrix on `tasks`.
    public func run(_ method: SuiteMethod, tasks: [ContinualTask], seed: UInt64) throws -> AccuracyMatrix {
        if var configuration = method.federated(federated) {
            configuration.seed = seed
            return try FederatedRunner.run(tasks: tasks, configuration: configuration).matrix
        }
        var configuration = continual
        configuration.seed = seed
        return try ContinualRunner.run(tasks: method == .joint ? tasks.cumulative : tasks, strategy: method.strategy!, configuration: configuration)
    }

    /// Parses `--seeds`: comma-separated integers ("0,1,2,3,4") or a range ("0-4"); the error names the value.
    public static func seeds(_ text: String) throws -> [UInt64] {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let bounds = trimmed.split(separator: "-", omittingEmptySubsequences: false)
        if bounds.count == 2, let low = UInt64(bounds[0]), let high = UInt64(bounds[1]) {
            guard low <= high else { throw LearningError(.invalidConfiguration, "seeds '\(text)': the range runs backwards (\(low) > \(high))") }
            return Array(low...high)
        }
        let seeds = trimmed.split(separator: ",", omittingEmptySubsequences: false).map { UInt64($0.trimmingCharacters(in: .whitespaces)) }
        guard !seeds.isEmpty, let bad = seeds.firstIndex(where: { $0 == nil }) else {
            let values = seeds.map { $0! }
            guard Set(values).count == values.count else {
                throw LearningError(.invalidConfiguration, "seeds '\(text)' repeat a seed; each seed counts once in the mean")
            }
            return values
        }
        let parts = trimmed.split(separator: ",", omittingEmptySubsequences: false)
        throw LearningError(.invalidConfiguration, "seeds '\(text)': '\(parts[bad])' is not a non-negative integer (give e.g. 0,1,2,3,4 or 0-4)")
    }
}
