/// A candidate released to a cohort before everyone, apart from I/O: which clients are in the
/// cohort, the live outcomes each arm has reported since the release, and the decision.
///
/// Clients report the cumulative live outcomes (labelled feedback on served predictions) of the
/// version they hold. The canary arm counts the cohort's outcomes on the candidate (a new version:
/// its counts start at the release); the control arm counts the other clients' outcomes on the
/// base version *since the release*: a client's first report after the release (or its counts at
/// the start) is its baseline, so outcomes gathered before the canary do not weigh in the
/// comparison. A client whose counts go down (its store was reset) takes the lower figure as its
/// new baseline.
public struct CanaryRollout: Sendable {
    /// `canary` decides by itself after the window (``CanaryComparison``); `abTest` serves both
    /// arms and reports them, and the operator decides.
    public enum Mode: String, Sendable, Equatable, Codable {
        case canary
        case abTest = "ab"
    }

    public let version: UInt64
    public let baseVersion: UInt64
    public let policy: CanaryPolicy
    public let mode: Mode
    public let startedAt: ContinuousClock.Instant
    private var canaryCounts: [String: ArmOutcomes] = [:]
    private var controlCounts: [String: ArmOutcomes] = [:]
    private var baselines: [String: ArmOutcomes] = [:]
    /// The cohort's outcomes on the candidate (kept as reports arrive: a report costs O(1)).
    public private(set) var canary = ArmOutcomes(outcomes: 0, correct: 0)
    /// The other clients' outcomes on the base version since the release.
    public private(set) var control = ArmOutcomes(outcomes: 0, correct: 0)

    /// - Parameter reports: what each connected client last reported (version held and its
    ///   cumulative counts): the control arm's baselines.
    public init(version: UInt64, baseVersion: UInt64, policy: CanaryPolicy, mode: Mode, startedAt: ContinuousClock.Instant,
                reports: [String: (version: UInt64, counts: ArmOutcomes)] = [:]) {
        self.version = version
        self.baseVersion = baseVersion
        self.policy = policy
        self.mode = mode
        self.startedAt = startedAt
        for (client, report) in reports where report.version == baseVersion && !policy.inCohort(client) {
            baselines[client] = report.counts
        }
    }

    /// Whether `client` gets the candidate.
    public func inCohort(_ client: String) -> Bool { policy.inCohort(client) }

    /// A client's latest report of the version it holds and its cumulative live counts for it.
    public mutating func report(client: String, version held: UInt64, counts: ArmOutcomes) {
        if inCohort(client) {
            if held == version { Self.replace(&canaryCounts, client, with: counts, in: &canary) }
            return
        }
        guard held == baseVersion else { return }
        guard let baseline = baselines[client], baseline.outcomes <= counts.outcomes, baseline.correct <= counts.correct else {
            baselines[client] = counts
            Self.replace(&controlCounts, client, with: ArmOutcomes(outcomes: 0, correct: 0), in: &control)
            return
        }
        Self.replace(&controlCounts, client, with: ArmOutcomes(outcomes: counts.outcomes - baseline.outcomes, correct: counts.correct - baseline.correct),
                     in: &control)
    }

    /// Sets one client's counts in an arm and keeps the arm's total.
    private static func replace(_ counts: inout [String: ArmOutcomes], _ client: String, with new: ArmOutcomes, in total: inout ArmOutcomes) {
        let old = counts.updateValue(new, forKey: client) ?? ArmOutcomes(outcomes: 0, correct: 0)
        total = ArmOutcomes(outcomes: total.outcomes - old.outcomes + new.outcomes, correct: total.correct - old.correct + new.correct)
    }
    /// Clients that reported in each arm.
    public var reporting: (canary: Int, control: Int) { (canaryCounts.count, controlCounts.count) }

    /// The earliest instant the comparison may decide.
    public var windowEnds: ContinuousClock.Instant { startedAt + policy.minimumDuration }

    /// What the comparison says now: wait, promote or roll back (`abTest`: always wait for the operator).
    public func decision(now: ContinuousClock.Instant) -> CanaryComparison.Decision {
        if mode == .abTest { return .wait("an A/B test: the operator promotes or aborts") }
        return CanaryComparison.decide(canary: canary, control: control, elapsed: now - startedAt, policy: policy)
    }

    /// The test's figures on what the arms hold now, whatever the window (for status and an operator's decision).
    public var figures: CanaryComparison.Figures {
        CanaryComparison.test(canary: canary, control: control, policy: policy)
    }

}
