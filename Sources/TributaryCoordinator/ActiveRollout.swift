import Foundation
import TributaryRegistry
import TributaryRounds

/// A version the gate passed, served to a cohort while the other clients keep the live version:
/// the comparison of the arms' live feedback (``CanaryRollout``), the candidate and its release
/// forms (a delta against the live version), and whether the registry is settling it.
struct ActiveRollout: Sendable {
    var comparison: CanaryRollout
    let candidate: GlobalModel
    let releases: ReleaseSet
    let round: UInt64
    let startedAt: Date
    /// A promote or reject is in the registry's hands: no second decision.
    var settling = false

    var version: UInt64 { comparison.version }

    /// The decision and its evidence, with the figures of the arms as they stand.
    func decision(_ kind: String, because why: String) -> VersionDecision {
        let figures = comparison.figures
        var numbers: [String: Double] = [
            "canary.outcomes": Double(figures.canary.outcomes), "canary.correct": Double(figures.canary.correct),
            "control.outcomes": Double(figures.control.outcomes), "control.correct": Double(figures.control.correct),
            "z": figures.z, "p_value": figures.pValue, "alpha": figures.alpha, "min_effect": figures.minimumEffect,
        ]
        if let accuracy = figures.canary.accuracy { numbers["canary.accuracy"] = accuracy }
        if let accuracy = figures.control.accuracy { numbers["control.accuracy"] = accuracy }
        return VersionDecision(version: version, kind: kind, reason: "\(why): \(Self.describe(figures))", figures: numbers)
    }

    /// "canary 61.0% of 200 live outcomes vs control 92.0% of 800, z −10.35, p 1.2e-24 (α 0.05, minimum effect 0.02)".
    static func describe(_ figures: CanaryComparison.Figures) -> String {
        func arm(_ outcomes: ArmOutcomes) -> String {
            outcomes.accuracy.map { String(format: "%.1f%% of %llu", $0 * 100, outcomes.outcomes) } ?? "no outcome"
        }
        return "canary \(arm(figures.canary)) live outcomes vs control \(arm(figures.control)), "
            + String(format: "z %.2f, p %.3g (α %g, minimum effect %g)", figures.z, figures.pValue, figures.alpha, figures.minimumEffect)
    }
}
