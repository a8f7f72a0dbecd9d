/// The canary release policy's settings: who gets the candidate, how long and how much live
/// feedback the comparison waits for, and the test that decides.
public struct CanaryPolicy: Sendable, Equatable {
    /// Share of clients in the canary cohort, chosen by a stable hash of the client id; in [0, 1).
    public var fraction: Double
    /// Clients always in the cohort, whatever the hash says.
    public var namedClients: Set<String>
    /// The comparison waits at least this long after the release.
    public var minimumDuration: Duration
    /// ... and for at least this many labelled live predictions in each arm.
    public var minimumOutcomesPerArm: Int
    /// Significance level of the one-sided test; in (0, 0.5].
    public var alpha: Double
    /// The smallest drop in live accuracy (control − canary, in [0, 1)) that counts as worse.
    public var minimumEffect: Double

    public init(fraction: Double = 0.1, namedClients: Set<String> = [], minimumDuration: Duration = .seconds(3600),
                minimumOutcomesPerArm: Int = 200, alpha: Double = 0.05, minimumEffect: Double = 0.02) throws {
        self.fraction = fraction
        self.namedClients = namedClients
        self.minimumDuration = minimumDuration
        self.minimumOutcomesPerArm = minimumOutcomesPerArm
        self.alpha = alpha
        self.minimumEffect = minimumEffect
        guard fraction.isFinite, fraction >= 0, fraction < 1 else {
            throw RoundError(.invalidConfiguration, "release.cohort_fraction must be in [0, 1), got \(fraction)")
        }
        guard fraction > 0 || !namedClients.isEmpty else {
            throw RoundError(.invalidConfiguration, "release: cohort_fraction is 0 and cohort_clients names no client; the cohort would be empty")
        }
        guard minimumDuration >= .zero else {
            throw RoundError(.invalidConfiguration, "release.window must be >= 0, got \(minimumDuration)")
        }
        guard minimumOutcomesPerArm >= 1 else {
            throw RoundError(.invalidConfiguration, "release.min_outcomes must be >= 1, got \(minimumOutcomesPerArm)")
        }
        guard alpha.isFinite, alpha > 0, alpha <= 0.5 else {
            throw RoundError(.invalidConfiguration, "release.alpha must be in (0, 0.5], got \(alpha)")
        }
        guard minimumEffect.isFinite, minimumEffect >= 0, minimumEffect < 1 else {
            throw RoundError(.invalidConfiguration, "release.min_effect must be in [0, 1), got \(minimumEffect)")
        }
    }

    /// Whether `clientID` is in the canary cohort: named, or its hash (FNV-1a 64 of the UTF-8
    /// bytes, then MurmurHash3's 64-bit finaliser; stable across runs, machines and restarts)
    /// falls below `fraction` of 2⁶⁴. FNV-1a alone puts ids that differ in their last characters
    /// (edge-10 … edge-39) next to each other; the finaliser spreads them.
    public func inCohort(_ clientID: String) -> Bool {
        if namedClients.contains(clientID) { return true }
        var hash = clientID.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        hash ^= hash >> 33
        hash &*= 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        hash &*= 0xc4ce_b9fe_1a85_ec53
        hash ^= hash >> 33
        return Double(hash >> 11) / Double(UInt64(1) << 53) < fraction
    }
}
