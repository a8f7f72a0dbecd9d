import TributaryConfig
import TributaryRounds

/// How a version the gate passed reaches the fleet (`release.policy`).
public enum ReleasePolicy: Sendable, Equatable {
    /// Promoted and released to every client at once.
    case immediate
    /// Released to a cohort first; after the window its live accuracy is compared with the other
    /// clients' on the live version (``CanaryComparison``) and it is promoted to all or rolled
    /// back, automatically.
    case canary(CanaryPolicy)
    /// Released to a cohort; both arms' live accuracy is reported and the operator decides
    /// (`tributary rollout promote|abort`).
    case abTest(CanaryPolicy)

    /// The cohort's settings, when the version goes to a cohort first.
    public var cohort: (policy: CanaryPolicy, mode: CanaryRollout.Mode)? {
        switch self {
        case .immediate: nil
        case .canary(let policy): (policy, .canary)
        case .abTest(let policy): (policy, .abTest)
        }
    }

    /// The `release:` section: `policy` (immediate, canary or ab), `cohort_fraction`,
    /// `cohort_clients`, `window`, `min_outcomes`, `alpha`, `min_effect`.
    static func read(_ section: ConfigReader) throws -> ReleasePolicy {
        let kind = try section.choice("policy", from: ["immediate", "canary", "ab"], default: "immediate")
        let fraction = try section.double("cohort_fraction", default: 0.1, in: 0...0.999_999)
        let named = Set(try section.strings("cohort_clients") ?? [])
        let window = try section.duration("window", default: .seconds(3600), in: .zero...(.seconds(30 * 86_400)))
        let minimum = try section.int("min_outcomes", default: 200, in: 1...100_000_000)
        let alpha = try section.double("alpha", default: 0.05, in: 1e-9...0.5)
        let effect = try section.double("min_effect", default: 0.02, in: 0...0.999_999)
        guard kind != "immediate" else { return .immediate }
        let policy: CanaryPolicy
        do {
            policy = try CanaryPolicy(fraction: fraction, namedClients: named, minimumDuration: window, minimumOutcomesPerArm: minimum,
                                      alpha: alpha, minimumEffect: effect)
        } catch let error as RoundError {
            throw section.invalid("cohort_fraction", error.reason)
        }
        return kind == "canary" ? .canary(policy) : .abTest(policy)
    }
}
