import TributaryLearning

/// Faults a simulation injects, as fractions of the clients offered each round.
public struct FaultConfiguration: Sendable, Equatable, Codable {
    /// Clients that drop out mid-round: they receive the RoundOffer and disconnect without answering.
    public var dropFraction: Double
    /// Clients that answer late by `slowDelay` (past a short deadline they are refused as late).
    public var slowFraction: Double
    public var slowDelay: Duration
    /// Clients whose agent is stopped and started again between rounds (resuming from its checkpoint).
    public var restartFraction: Double
    /// Clients that lie in every Update they send (the same clients all run, chosen by the seed).
    public var dishonestFraction: Double
    public var dishonestKind: DishonestKind

    /// How a dishonest client rewrites its Update after honest training.
    public enum DishonestKind: String, Sendable, Equatable, Codable, CaseIterable {
        /// num_examples × 10⁶ and every Fisher value × 10⁶: to decide the Fisher-weighted sums.
        case inflate
        /// Every Fisher value × 10⁶, the count left honest.
        case fisher
        /// The delta × 100: to decide a FedAvg round.
        case scale
    }

    public init(dropFraction: Double = 0, slowFraction: Double = 0, slowDelay: Duration = .seconds(1), restartFraction: Double = 0,
                dishonestFraction: Double = 0, dishonestKind: DishonestKind = .inflate) {
        self.dishonestFraction = dishonestFraction
        self.dishonestKind = dishonestKind
        self.dropFraction = dropFraction
        self.slowFraction = slowFraction
        self.slowDelay = slowDelay
        self.restartFraction = restartFraction
    }

    private enum CodingKeys: String, CodingKey {
        case dropFraction, slowFraction, slowDelay, restartFraction, dishonestFraction, dishonestKind
    }

    /// Reads reports written before the dishonest clients existed (none then).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(dropFraction: try container.decode(Double.self, forKey: .dropFraction),
                  slowFraction: try container.decode(Double.self, forKey: .slowFraction),
                  slowDelay: try container.decode(Duration.self, forKey: .slowDelay),
                  restartFraction: try container.decode(Double.self, forKey: .restartFraction),
                  dishonestFraction: try container.decodeIfPresent(Double.self, forKey: .dishonestFraction) ?? 0,
                  dishonestKind: try container.decodeIfPresent(DishonestKind.self, forKey: .dishonestKind) ?? .inflate)
    }

    /// Checks each fraction; the error names the flag and its value.
    public func validate() throws {
        for (name, value) in [("drop", dropFraction), ("slow", slowFraction), ("restart", restartFraction), ("dishonest", dishonestFraction)] {
            guard value.isFinite, (0...1).contains(value) else {
                throw LearningError(.invalidConfiguration, "--\(name) is \(value); must be in 0...1 (0.1 = 10% of the clients)")
            }
        }
        guard dropFraction + slowFraction <= 1 else {
            throw LearningError(.invalidConfiguration, "fault fractions --drop \(dropFraction) + --slow \(slowFraction) exceed 1")
        }
    }
}

/// Which clients misbehave in one round.
public struct RoundFaults: Sendable, Equatable {
    public var drop: Set<Int> = []
    public var slow: Set<Int> = []
    public var restart: Set<Int> = []

    public init(drop: Set<Int> = [], slow: Set<Int> = [], restart: Set<Int> = []) {
        self.drop = drop
        self.slow = slow
        self.restart = restart
    }
}

/// A seeded choice of faulty clients per round: the same seed gives the same faults, so a
/// simulation with faults is reproducible. Drop and slow sets are disjoint; restarts are drawn
/// independently (a restarted client answers normally afterwards).
public struct FaultPlan: Sendable {
    public let configuration: FaultConfiguration
    public let clients: Int
    public let seed: UInt64

    public init(configuration: FaultConfiguration, clients: Int, seed: UInt64) {
        self.configuration = configuration
        self.clients = clients
        self.seed = seed
    }

    /// The faults of round `round` (1-based), over client indices 0..<clients.
    public func faults(round: Int) -> RoundFaults {
        var generator = SeededGenerator(seed: seed &+ 0x9E37_79B9 &* UInt64(round))
        var order = Array(0..<clients)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, generator.nextInt(below: i + 1)) }
        let drops = count(configuration.dropFraction)
        let slows = count(configuration.slowFraction)
        var restartOrder = Array(0..<clients)
        for i in stride(from: restartOrder.count - 1, to: 0, by: -1) { restartOrder.swapAt(i, generator.nextInt(below: i + 1)) }
        return RoundFaults(
            drop: Set(order.prefix(drops)),
            slow: Set(order.dropFirst(drops).prefix(slows)),
            restart: Set(restartOrder.prefix(count(configuration.restartFraction))))
    }

    /// The clients that lie in every Update (``FaultConfiguration/dishonestFraction`` of them),
    /// the same for the whole run.
    public var dishonest: Set<Int> {
        var generator = SeededGenerator(seed: seed ^ 0xD15_4057)
        var order = Array(0..<clients)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, generator.nextInt(below: i + 1)) }
        return Set(order.prefix(count(configuration.dishonestFraction)))
    }

    private func count(_ fraction: Double) -> Int {
        Int((fraction * Double(clients)).rounded())
    }
}
