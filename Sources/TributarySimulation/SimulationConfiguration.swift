import TributaryAggregation
import TributaryCoordinator
import TributaryExperiments
import TributaryLearning
import TributaryWire

/// A simulated fleet: a coordinator and `clients` edge agents in one process, talking over real
/// mutual TLS on loopback, learning the digits tasks (or a user's own CSV, `userData`) federated
/// and incrementally.
public struct SimulationConfiguration: Sendable {
    /// How each task's training data is split across clients.
    public enum PartitionScheme: Sendable, Equatable, CustomStringConvertible {
        case iid
        /// Label skew: per class, client shares ~ Dirichlet(α).
        case dirichlet(alpha: Double)
        /// A JSON file: `{"clients": [[row, …], …]}` (rows of each task's training set, the same
        /// split for every task) or `{"tasks": [{"clients": [[…], …]}, …]}` (one split per task).
        case file(String)

        public var description: String {
            switch self {
            case .iid: "iid"
            case .dirichlet(let alpha): "dirichlet(\(alpha))"
            case .file(let path): "file(\(path))"
            }
        }
    }

    public var scenario: DigitsBenchmark.Scenario = .split
    /// The digits CSV (`data/digits.csv`).
    public var dataPath: String = "data/digits.csv"
    /// A user's own CSV and its task split, instead of the digits scenario (nil: digits).
    public var userData: CSVTaskSource?
    /// Use only the first this-many tasks of the scenario (nil: all five).
    public var taskLimit: Int?
    public var clients: Int = 10
    public var partition: PartitionScheme = .dirichlet(alpha: 0.5)
    public var roundsPerTask: Int = 10
    /// Fraction of the clients holding data for a task that a round wants updates from; the
    /// coordinator over-selects 130% of it (see `roundSizes(holders:)`).
    public var participation: Double = 1
    public var faults = FaultConfiguration()
    /// The learning protocol: local epochs, batch, lr, replay, λ, aggregation rule (issue 5's by default).
    public var federated = FederatedConfiguration()
    /// How long a round collects before it closes with what it has (or is abandoned).
    public var collectTimeout: Duration = .seconds(60)
    /// Judge candidates with the evaluation gate (held-out test sets of every task). Off by
    /// default: the simulation measures learning; the gate is the coordinator's deployment policy.
    public var gate: PromotionGate? = nil
    /// The coordinator's update bounds (``UpdateBounds``, on by default). With
    /// ``UpdateBounds/off`` the fixed bounds go too (`max_delta_norm: off`, the largest
    /// `max_update_examples`): the coordinator takes what clients claim, as before issue 16.
    public var bounds: UpdateBounds = .default
    /// Secure aggregation (SecAgg+) of every round (nil: off): the coordinator sees only the sums.
    public var secureAggregation: SecureAggregationSettings?
    /// Where certificates, checkpoints, the registry and edge state go.
    public var workDirectory: String
    public var seed: UInt64 = 7
    /// How the edges encode their Updates (the coordinator's `compression.*`; every simulated edge
    /// announces the feature). Float32 by default.
    public var compression: UpdateEncoding = .fp32
    /// Client-level differential privacy (DP-FedAvg) of the coordinator's rounds (off by default).
    /// With `.plannedRounds` the noise multiplier is planned for the run's own rounds (tasks ×
    /// rounds per task), whatever count it holds.
    public var privacy: PrivacySettings = .off

    public init(workDirectory: String) {
        self.workDirectory = workDirectory
    }

    /// Checks every setting; errors name the flag and its value.
    public func validate() throws {
        func fail(_ message: String) -> LearningError { LearningError(.invalidConfiguration, message) }
        guard clients >= 1 else { throw fail("--clients is \(clients); must be ≥ 1") }
        guard roundsPerTask >= 1 else { throw fail("--rounds-per-task is \(roundsPerTask); must be ≥ 1") }
        guard participation > 0, participation <= 1 else { throw fail("--participation is \(participation); must be in (0, 1]") }
        if let taskLimit, userData == nil, !(1...5).contains(taskLimit) { throw fail("--tasks is \(taskLimit); the digits scenarios have 1...5 tasks") }
        if let taskLimit, taskLimit < 1 { throw fail("--tasks is \(taskLimit); must be ≥ 1") }
        if let userData, userData.regression, federated.replayPerClient > 0 {
            throw fail("replay is \(federated.replayPerClient) examples per client; the replay buffer does not keep regression targets yet, so a regression fleet needs replay 0")
        }
        if case .dirichlet = partition, userData?.regression == true {
            throw fail("--partition \(partition): a label skew needs classes; a regression fleet takes iid or file:PATH")
        }
        if case .dirichlet(let alpha) = partition, !(alpha > 0 && alpha.isFinite) {
            throw fail("--partition dirichlet:\(alpha): α must be finite and > 0")
        }
        guard collectTimeout > .zero else { throw fail("--collect-timeout is \(collectTimeout); must be > 0") }
        try faults.validate()
    }

    /// A round's target and quorum, from the clients that can answer: those holding data for the
    /// task (a client with none is never eligible). `holders[t]` counts them for task t. The
    /// coordinator runs one round configuration for every task, so the target is
    /// ⌈participation × the most holders of any task⌉ (a round with fewer holders closes once all
    /// of them answered) and the quorum half of ⌈participation × the fewest holders of any task⌉.
    /// - Throws: when a task has no client holding data for it (no round of it could run).
    func roundSizes(holders: [Int]) throws -> (target: Int, quorum: Int) {
        if let empty = holders.firstIndex(where: { $0 < 1 }) {
            throw LearningError(.invalidData, "partition \(partition): no client holds data for task \(empty + 1) of \(holders.count); no round of it could run")
        }
        func wanted(_ count: Int) -> Int { max(1, Int((participation * Double(count)).rounded(.up))) }
        return (wanted(holders.max() ?? 1), max(1, (wanted(holders.min() ?? 1) + 1) / 2))
    }

    /// `privacy` with `.plannedRounds` set to the run's `totalRounds`.
    func plannedPrivacy(totalRounds: Int) -> PrivacySettings {
        var privacy = self.privacy
        if case .plannedRounds = privacy.noise { privacy.noise = .plannedRounds(totalRounds) }
        return privacy
    }

    /// The coordinator's aggregation settings: the protocol's rule, optimizer and consolidation,
    /// and the bounds.
    var aggregation: CoordinatorConfiguration.Aggregation {
        var aggregation = CoordinatorConfiguration.Aggregation(
            rule: federated.rule, serverOptimizer: federated.serverOptimizer, consolidation: federated.consolidation, bounds: bounds)
        if bounds.isOff, !bounds.statedExamples {
            aggregation.deltaNormBound = .off
            aggregation.maxUpdateExamples = 1_000_000_000_000
        }
        return aggregation
    }
}
