/// A Rényi-DP accountant for DP-FedAvg: composes rounds of the sampled Gaussian mechanism
/// (RDP adds up over rounds, order by order) and converts the total to (ε, δ)-DP.
///
/// The conversion is the improved bound of Balle et al. 2020 (Prop. 12 of arXiv:2004.00010;
/// also Canonne, Kamath, Steinke 2020, eq. 20): ε = min over α of
/// RDP(α) + log(1 − 1/α) − log(δ·α) / (α − 1). A value type: the coordinator stores it with
/// each version and restores it after a restart.
public struct RDPAccountant: Sendable, Equatable, Codable {
    /// The orders the bound is minimised over: 1.1 … 10.9 by 0.1, 11 … 63, 128, 256, 512, 1024
    /// (the same grid as Google's dp-accounting, so the two agree order by order).
    public static let defaultOrders: [Double] = (1..<100).map { 1 + Double($0) / 10 } + (11..<64).map(Double.init) + [128, 256, 512, 1024]

    public let orders: [Double]
    /// The accumulated RDP at each order.
    public private(set) var rdp: [Double]
    /// Rounds composed so far.
    public private(set) var rounds: Int

    public init(orders: [Double] = RDPAccountant.defaultOrders) throws {
        try Self.validate(orders: orders)
        self.orders = orders
        self.rdp = Array(repeating: 0, count: orders.count)
        self.rounds = 0
    }

    private enum CodingKeys: String, CodingKey { case orders, rdp, rounds }

    /// Stores the orders, the RDP values (null for +∞, an order whose series did not converge,
    /// so that JSON can hold it) and the round count.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(orders, forKey: .orders)
        try container.encode(rdp.map { $0.isInfinite ? nil : $0 }, forKey: .rdp)
        try container.encode(rounds, forKey: .rounds)
    }

    /// Restores a stored accountant (a journal, a registry version), refusing one whose orders,
    /// RDP values or round count could not have come from composing rounds.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let orders = try container.decode([Double].self, forKey: .orders)
        let rdp = try container.decode([Double?].self, forKey: .rdp).map { $0 ?? .infinity }
        let rounds = try container.decode(Int.self, forKey: .rounds)
        try Self.validate(orders: orders)
        guard rdp.count == orders.count else {
            throw PrivacyError(.invalidConfiguration, "stored accountant holds \(rdp.count) RDP values for \(orders.count) orders")
        }
        if let index = rdp.firstIndex(where: { !($0 >= 0) }) {
            throw PrivacyError(.invalidConfiguration, "stored accountant's RDP at order \(orders[index]) is \(rdp[index]); RDP is ≥ 0 (or +∞)")
        }
        guard rounds >= 0 else { throw PrivacyError(.invalidConfiguration, "stored accountant has composed \(rounds) rounds; it must be ≥ 0") }
        self.orders = orders
        self.rdp = rdp
        self.rounds = rounds
    }

    static func validate(orders: [Double]) throws {
        guard !orders.isEmpty else { throw PrivacyError(.invalidConfiguration, "accountant orders are empty; give at least one order above 1") }
        if let bad = orders.first(where: { !($0 > 1) || !$0.isFinite }) {
            throw PrivacyError(.invalidConfiguration, "accountant order is \(bad); every Rényi order must be a finite number above 1")
        }
    }

    /// Adds `rounds` rounds at sampling rate q ∈ [0, 1] with noise multiplier z ≥ 0.
    public mutating func compose(samplingRate q: Double, noiseMultiplier z: Double, rounds count: Int = 1) throws {
        try Self.validate(samplingRate: q, noiseMultiplier: z, rounds: count)
        rdp = Self.rdp(orders: orders, samplingRate: q, noiseMultiplier: z, rounds: count, adding: rdp)
        rounds += count
    }

    /// The accountant after `count` more rounds, this one unchanged.
    public func composing(samplingRate q: Double, noiseMultiplier z: Double, rounds count: Int = 1) throws -> RDPAccountant {
        var next = self
        try next.compose(samplingRate: q, noiseMultiplier: z, rounds: count)
        return next
    }

    /// The smallest ε over the orders for which the rounds so far are (ε, δ)-DP, and that order.
    public func epsilon(delta: Double) throws -> (epsilon: Double, order: Double) {
        guard delta > 0, delta < 1 else {
            throw PrivacyError(.invalidConfiguration, "δ is \(delta); it must lie strictly between 0 and 1")
        }
        return Self.epsilon(orders: orders, rdp: rdp, delta: delta)
    }

    /// ε after `rounds` rounds at (q, z) for δ, from a fresh accountant.
    public static func epsilon(samplingRate q: Double, noiseMultiplier z: Double, rounds: Int, delta: Double,
                               orders: [Double] = defaultOrders) throws -> Double {
        try RDPAccountant(orders: orders).composing(samplingRate: q, noiseMultiplier: z, rounds: rounds).epsilon(delta: delta).epsilon
    }

    /// The smallest noise multiplier z (within 0.1 %) for which `rounds` rounds at sampling rate q
    /// stay within (ε, δ): ε falls as z grows, so bisect on z ∈ [0.01, 1000].
    public static func noiseMultiplier(forEpsilon target: Double, delta: Double, samplingRate q: Double, rounds: Int,
                                       orders: [Double] = defaultOrders) throws -> Double {
        guard target.isFinite, target > 0 else {
            throw PrivacyError(.invalidConfiguration, "target ε is \(target); it must be a finite number above 0")
        }
        func epsilon(_ z: Double) throws -> Double {
            try Self.epsilon(samplingRate: q, noiseMultiplier: z, rounds: rounds, delta: delta, orders: orders)
        }
        var low = 0.01, high = 1000.0
        if try epsilon(low) <= target { return low }
        guard try epsilon(high) <= target else {
            throw PrivacyError(.unreachableEpsilon, "ε \(target) at δ \(delta) over \(rounds) rounds at sampling rate \(q) needs a noise multiplier above \(high)")
        }
        while high / low > 1.001 {
            let middle = (low * high).squareRoot()
            if try epsilon(middle) <= target { high = middle } else { low = middle }
        }
        return high
    }

    static func validate(samplingRate q: Double, noiseMultiplier z: Double, rounds: Int) throws {
        guard q >= 0, q <= 1 else {
            throw PrivacyError(.invalidConfiguration, "sampling rate is \(q); it must lie in [0, 1]")
        }
        guard z.isFinite, z >= 0 else {
            throw PrivacyError(.invalidConfiguration, "noise multiplier is \(z); it must be a finite number ≥ 0")
        }
        guard rounds >= 0 else { throw PrivacyError(.invalidConfiguration, "rounds is \(rounds); it must be ≥ 0") }
    }

    static func rdp(orders: [Double], samplingRate q: Double, noiseMultiplier z: Double, rounds: Int, adding base: [Double]) -> [Double] {
        zip(orders, base).map { order, sum in
            sum + Double(rounds) * SampledGaussianRDP.rdp(samplingRate: q, noiseMultiplier: z, order: order)
        }
    }

    static func epsilon(orders: [Double], rdp: [Double], delta: Double) -> (epsilon: Double, order: Double) {
        var best = (epsilon: Double.infinity, order: orders[0])
        for (alpha, r) in zip(orders, rdp) {
            let epsilon: Double
            if r < 0 || delta * delta + LogSpace.expMinusOne(-r) > 0 {
                // Negative (rounding) or small enough that the KL bound δ ≤ √(1 − e^{−KL}) gives ε = 0.
                epsilon = 0
            } else if alpha > 1.01 {
                epsilon = r + LogSpace.logOnePlus(-1 / alpha) - LogSpace.logarithm(delta * alpha) / (alpha - 1)
            } else {
                epsilon = .infinity
            }
            if epsilon < best.epsilon { best = (epsilon, alpha) }
        }
        return (max(0, best.epsilon), best.order)
    }
}
