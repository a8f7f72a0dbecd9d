/// How the coordinator runs rounds. Validated once, at construction.
public struct RoundConfiguration: Sendable, Equatable {
    /// What starts a round.
    public enum Trigger: Sendable, Equatable {
        /// When at least this many connected clients report themselves ready.
        case readyClients(Int)
        /// Every `interval` after the previous round ended (and at start-up).
        case schedule(every: Duration)
        /// Only the operator's `tributary round start`.
        case manual
    }

    /// Updates the round wants.
    public var targetUpdates: Int
    /// Clients offered the round = ceil(target × overSelection), to absorb dropouts (1.3 = 130%).
    public var overSelection: Double
    /// Fewest accepted updates that still make a round count (the quorum).
    public var quorum: Int
    /// How long a round collects before it closes with what it has, or is abandoned.
    public var collectTimeout: Duration
    public var trigger: Trigger
    /// Clients with fewer local examples are not selected.
    public var minimumExamples: Int
    /// Skip clients on metered networks / not charging.
    public var skipMetered: Bool
    public var requireCharging: Bool
    /// Seed of the client selection.
    public var seed: UInt64
    /// After the coordinator failed to open or commit a round (a full disk, a locked database),
    /// the trigger is consulted again after this delay, not at once (no hot loop).
    public var retryAfter: Duration

    public init(
        targetUpdates: Int, overSelection: Double = 1.3, quorum: Int? = nil, collectTimeout: Duration = .seconds(60),
        trigger: Trigger = .manual, minimumExamples: Int = 1, skipMetered: Bool = false, requireCharging: Bool = false,
        seed: UInt64 = 1, retryAfter: Duration = .seconds(10)
    ) throws {
        self.targetUpdates = targetUpdates
        self.overSelection = overSelection
        self.quorum = quorum ?? max(1, (targetUpdates + 1) / 2)
        self.collectTimeout = collectTimeout
        self.trigger = trigger
        self.minimumExamples = minimumExamples
        self.skipMetered = skipMetered
        self.requireCharging = requireCharging
        self.seed = seed
        self.retryAfter = retryAfter
        try validate()
    }

    /// How many clients a round offers itself to.
    public var selectionSize: Int {
        Int((Double(targetUpdates) * overSelection).rounded(.up))
    }

    func validate() throws {
        guard targetUpdates >= 1 else { throw RoundError(.invalidConfiguration, "rounds: target updates must be ≥ 1, got \(targetUpdates)") }
        guard overSelection >= 1, overSelection.isFinite else {
            throw RoundError(.invalidConfiguration, "rounds: over-selection must be ≥ 1 (1.3 = 130%), got \(overSelection)")
        }
        guard (1...targetUpdates).contains(quorum) else {
            throw RoundError(.invalidConfiguration, "rounds: quorum must be in 1...\(targetUpdates) (the target), got \(quorum)")
        }
        guard collectTimeout > .zero else { throw RoundError(.invalidConfiguration, "rounds: collect timeout must be positive, got \(collectTimeout)") }
        guard retryAfter > .zero else { throw RoundError(.invalidConfiguration, "rounds: retry delay must be positive, got \(retryAfter)") }
        guard minimumExamples >= 0 else { throw RoundError(.invalidConfiguration, "rounds: minimum examples must be ≥ 0, got \(minimumExamples)") }
        switch trigger {
        case .readyClients(let count) where count < 1:
            throw RoundError(.invalidConfiguration, "rounds: ready-clients trigger needs ≥ 1 client, got \(count)")
        case .schedule(let interval) where interval <= .zero:
            throw RoundError(.invalidConfiguration, "rounds: schedule interval must be positive, got \(interval)")
        default: break
        }
    }
}
