/// How the replay buffer chooses what to keep and what to replay.
public enum ReplayPolicy: Sendable, Codable, Equatable, Hashable {
    /// Algorithm R (Vitter 1985): every example seen so far is in the buffer with equal probability.
    case reservoir
    /// Class-balanced reservoir sampling (Chrysakis & Moens 2020): when full, a new example of a
    /// class that is not among the largest evicts a random example of a largest class; otherwise
    /// it replaces one of its own class with probability (stored of its class)/(seen of its class).
    case classBalanced
    /// A sliding window: the buffer keeps only the most recent `capacity` examples.
    case slidingWindow
    /// Reservoir storage, but replay draws each stored example with weight 2^(−age/halfLife),
    /// where age counts the examples seen since it was stored (decaying importance).
    case exponentialDecay(halfLife: Int)
}

public struct ReplayConfiguration: Sendable, Codable, Equatable, Hashable {
    /// Most examples kept (0 disables replay).
    public var capacity: Int
    public var policy: ReplayPolicy

    public init(capacity: Int, policy: ReplayPolicy = .reservoir) {
        self.capacity = capacity
        self.policy = policy
    }

    public static let disabled = ReplayConfiguration(capacity: 0)

    public func validate() throws {
        guard capacity >= 0 else {
            throw LearningError(.invalidConfiguration, "replay: capacity must be ≥ 0, got \(capacity)")
        }
        if case .exponentialDecay(let halfLife) = policy, halfLife <= 0 {
            throw LearningError(.invalidConfiguration, "replay: decay half-life must be positive, got \(halfLife)")
        }
    }
}
