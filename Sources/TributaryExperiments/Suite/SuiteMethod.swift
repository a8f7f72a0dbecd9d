import Foundation
import TributaryAggregation
import TributaryLearning

/// One way of learning a task sequence that the quality suite compares: four centralised
/// strategies, the joint reference, and three federated variants.
public enum SuiteMethod: String, Sendable, CaseIterable, Codable {
    case naive, replay, ewc
    case ewcReplay = "ewc+replay"
    /// Centralised training, each task on all the training data of the tasks seen so far.
    case joint
    /// FedAvg: no replay, no EWC, example-weighted averaging.
    case fedAvg = "fedavg"
    /// FedAvg with each client's local replay buffer.
    case fedReplay = "fed-replay"
    /// Fisher-weighted aggregation, the global EWC penalty and local replay.
    case fedEWCReplay = "fed-ewc+replay"

    public var isFederated: Bool { self == .fedAvg || self == .fedReplay || self == .fedEWCReplay }

    /// The centralised strategy (nil for the federated methods; joint trains naively on cumulative data).
    public var strategy: Strategy? {
        switch self {
        case .naive, .joint: .naive
        case .replay: .replay
        case .ewc: .ewc
        case .ewcReplay: .ewcReplay
        case .fedAvg, .fedReplay, .fedEWCReplay: nil
        }
    }

    /// `base` turned into this federated method's settings (nil for a centralised method): FedAvg
    /// is `FederatedConfiguration.plainFedAvg` with `base`'s fleet, rounds, model and seed;
    /// federated replay is `base` without EWC (and so with example-weighted averaging); federated
    /// EWC + replay is `base`.
    public func federated(_ base: FederatedConfiguration) -> FederatedConfiguration? {
        var configuration = base
        switch self {
        case .fedAvg:
            configuration = .plainFedAvg
            configuration.clients = base.clients
            configuration.dirichletAlpha = base.dirichletAlpha
            configuration.roundsPerTask = base.roundsPerTask
            configuration.hidden = base.hidden
            configuration.seed = base.seed
        case .fedReplay:
            configuration.ewcLambda = 0
            configuration.rule = .fedAvg
        case .fedEWCReplay: break
        default: return nil
        }
        return configuration
    }

    /// Parses a comma-separated list ("naive,ewc+replay,fedavg"); the error names the unknown value.
    public static func list(_ text: String) throws -> [SuiteMethod] {
        let names = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        return try names.map { name in
            guard let method = SuiteMethod(rawValue: name) else {
                throw LearningError(.invalidConfiguration, "method '\(name)' in '\(text)' is not one of \(allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return method
        }
    }
}

extension Array where Element == ContinualTask {
    /// The joint reference's tasks: task i trains on the training data of tasks 0…i (and their
    /// classes); the test sets are unchanged, so the accuracy matrix stays per task.
    public var cumulative: [ContinualTask] {
        var seen = Dataset(featureCount: self[0].train.featureCount)
        var classes: [Int32] = []
        return map { task in
            seen.append(contentsOf: task.train)
            classes = Set(classes + task.classes).sorted()
            return ContinualTask(name: task.name, train: seen, test: task.test, classes: classes)
        }
    }
}
