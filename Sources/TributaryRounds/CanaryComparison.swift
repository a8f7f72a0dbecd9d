import Foundation

/// Live accuracy of one arm of a canary: labelled live predictions and how many were right.
public struct ArmOutcomes: Sendable, Equatable, Codable {
    public var outcomes: UInt64
    public var correct: UInt64
    public init(outcomes: UInt64, correct: UInt64) {
        self.outcomes = outcomes
        self.correct = correct
    }
    /// correct / outcomes; nil before any outcome.
    public var accuracy: Double? { outcomes == 0 ? nil : Double(correct) / Double(outcomes) }
}

/// The canary's decision, apart from I/O: after the window, a one-sided two-proportion z-test
/// of the canary arm's live accuracy against the control arm's.
///
/// With p̂₁ the canary's and p̂₀ the control's accuracy, p̂ the pooled accuracy, and
/// z = (p̂₁ − p̂₀) / √(p̂(1 − p̂)(1/n₁ + 1/n₀)), the one-sided p-value for "the canary is worse" is
/// Φ(z). The candidate is rolled back when that p-value is below α *and* the observed drop
/// p̂₀ − p̂₁ is at least the minimum effect; otherwise it is promoted to all. Until the window has
/// passed and both arms have the minimum of outcomes, the decision is to wait.
public enum CanaryComparison {
    public struct Figures: Sendable, Equatable, Codable {
        public var canary: ArmOutcomes
        public var control: ArmOutcomes
        /// The z statistic (0 when both arms are all right or all wrong).
        public var z: Double
        /// One-sided p-value for "the canary is worse".
        public var pValue: Double
        public var alpha: Double
        public var minimumEffect: Double
    }

    public enum Decision: Sendable, Equatable {
        /// Not enough time or outcomes yet; says what is missing.
        case wait(String)
        case promote(Figures)
        case rollBack(Figures)
    }

    public static func decide(canary: ArmOutcomes, control: ArmOutcomes, elapsed: Duration, policy: CanaryPolicy) -> Decision {
        if elapsed < policy.minimumDuration {
            return .wait("the window is \(policy.minimumDuration); \(elapsed) have passed")
        }
        let needed = UInt64(policy.minimumOutcomesPerArm)
        if canary.outcomes < needed || control.outcomes < needed {
            return .wait("\(canary.outcomes) canary and \(control.outcomes) control live outcomes; \(needed) needed in each arm")
        }
        let figures = test(canary: canary, control: control, policy: policy)
        let drop = (control.accuracy ?? 0) - (canary.accuracy ?? 0)
        return figures.pValue < policy.alpha && drop >= policy.minimumEffect ? .rollBack(figures) : .promote(figures)
    }

    /// The z statistic and one-sided p-value (z 0 and p 0.5 while an arm has no outcome).
    static func test(canary: ArmOutcomes, control: ArmOutcomes, policy: CanaryPolicy) -> Figures {
        guard canary.outcomes > 0, control.outcomes > 0 else {
            return Figures(canary: canary, control: control, z: 0, pValue: 0.5, alpha: policy.alpha, minimumEffect: policy.minimumEffect)
        }
        let n1 = Double(canary.outcomes), n0 = Double(control.outcomes)
        let p1 = Double(canary.correct) / n1, p0 = Double(control.correct) / n0
        let pooled = Double(canary.correct + control.correct) / (n1 + n0)
        let variance = pooled * (1 - pooled) * (1 / n1 + 1 / n0)
        let z = variance > 0 ? (p1 - p0) / variance.squareRoot() : 0
        let pValue = 0.5 * erfc(-z / 2.0.squareRoot())  // Φ(z)
        return Figures(canary: canary, control: control, z: z, pValue: pValue, alpha: policy.alpha, minimumEffect: policy.minimumEffect)
    }
}
