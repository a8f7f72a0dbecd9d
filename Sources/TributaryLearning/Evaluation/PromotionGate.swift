import Foundation
import TributaryNumerics

/// Decides whether a candidate model may replace the live one, from evaluations of both on the
/// same held-out sets: no task drops more than `maxTaskDrop` (the backward-transfer gate), the
/// newest data's accuracy is not below the parent's, stability stays above a floor, and the
/// clients' reported held-out accuracy does not fall by more than a margin. Whatever the held-out
/// sets say (and with none), a candidate with a non-finite parameter, or whose parameter norm grew
/// more than `maxParameterGrowth` times its parent's, is refused.
public struct PromotionGate: Sendable, Equatable, Codable {
    /// Largest accepted drop of any task's accuracy, in accuracy units (0.05 = 5 points).
    public var maxTaskDrop: Double
    /// Largest accepted drop on the newest task / data (0: must not be below the parent).
    public var maxNewDataDrop: Double
    /// Smallest accepted stability (fraction of unchanged predictions on the held-out sets).
    public var minimumStability: Double
    /// Largest accepted drop of the clients' example-weighted held-out accuracy.
    public var maxClientAccuracyDrop: Double
    /// Largest accepted ‖θ_candidate‖₂ / max(1, ‖θ_parent‖₂): a model that exploded is refused
    /// even when there is no held-out set to show it.
    public var maxParameterGrowth: Double

    public init(maxTaskDrop: Double = 0.05, maxNewDataDrop: Double = 0, minimumStability: Double = 0, maxClientAccuracyDrop: Double = 0.05,
                maxParameterGrowth: Double = 10) {
        self.maxParameterGrowth = maxParameterGrowth
        self.maxTaskDrop = maxTaskDrop
        self.maxNewDataDrop = maxNewDataDrop
        self.minimumStability = minimumStability
        self.maxClientAccuracyDrop = maxClientAccuracyDrop
    }

    /// One held-out set, evaluated under the parent and the candidate.
    public struct TaskEvaluation: Sendable, Equatable, Codable {
        public var name: String
        public var parentAccuracy: Double
        public var candidateAccuracy: Double
        public var stability: Double
        /// True for the newest task / data the round trained on.
        public var isNewest: Bool = false
    }

    public struct Decision: Sendable, Equatable, Codable {
        public var promote: Bool
        /// Why the candidate failed (empty when it passed).
        public var reasons: [String]
    }

    /// Evaluates `parent` and `candidate` on each named held-out set.
    public static func evaluate(parent: Sequential, candidate: Sequential, on sets: [(name: String, data: Dataset)], newest: String? = nil) -> [TaskEvaluation] {
        sets.map { set in
            TaskEvaluation(
                name: set.name, parentAccuracy: Evaluation.accuracy(parent, on: set.data),
                candidateAccuracy: Evaluation.accuracy(candidate, on: set.data),
                stability: Evaluation.stability(parent: parent, candidate: candidate, on: set.data), isNewest: set.name == newest)
        }
    }

    /// `clientAccuracy`: the clients' reported (parent, candidate) held-out accuracy, example-weighted.
    /// `parameters`: both models' flat parameters, judged for non-finite values and growth.
    public func decide(
        tasks: [TaskEvaluation], clientAccuracy: (parent: Double, candidate: Double)? = nil,
        parameters: (parent: [Float], candidate: [Float], layout: ParameterLayout)? = nil
    ) -> Decision {
        var reasons: [String] = []
        func points(_ value: Double) -> String { String(Int((value * 1000).rounded())) .withDecimal }
        for task in tasks {
            let drop = task.parentAccuracy - task.candidateAccuracy
            let limit = task.isNewest ? maxNewDataDrop : maxTaskDrop
            if drop > limit + 1e-12 {
                reasons.append("\(task.name): accuracy fell \(points(drop)) points (\(points(task.parentAccuracy)) → \(points(task.candidateAccuracy))), more than the \(points(limit)) allowed")
            }
            if task.stability < minimumStability {
                reasons.append("\(task.name): stability \(points(task.stability))% is below the floor \(points(minimumStability))%")
            }
        }
        if let clientAccuracy, clientAccuracy.parent - clientAccuracy.candidate > maxClientAccuracyDrop + 1e-12 {
            reasons.append("clients' held-out accuracy fell from \(points(clientAccuracy.parent)) to \(points(clientAccuracy.candidate)), more than \(points(maxClientAccuracyDrop)) points")
        }
        if let parameters { reasons += parameterReasons(parameters.parent, parameters.candidate, layout: parameters.layout) }
        return Decision(promote: reasons.isEmpty, reasons: reasons)
    }

    /// A non-finite candidate parameter (named by its tensor and index), or a norm that exploded.
    func parameterReasons(_ parent: [Float], _ candidate: [Float], layout: ParameterLayout) -> [String] {
        if let bad = candidate.firstIndex(where: { !$0.isFinite }) {
            let name = layout.name(ofFlatIndex: bad) ?? "parameter \(bad)"
            return ["candidate parameter \(name) is \(candidate[bad]); every parameter must be finite"]
        }
        func norm(_ values: [Float]) -> Double { values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot() }
        let (before, after) = (norm(parent), norm(candidate))
        guard after <= maxParameterGrowth * max(1, before) else {
            let growth = after / max(1, before)
            return ["candidate parameter norm is \(String(format: "%.4g", after)), \(String(format: "%.3g", growth)) times its parent's \(String(format: "%.4g", before)); at most \(maxParameterGrowth) times is allowed"]
        }
        return []
    }
}

extension String {
    /// "853" → "85.3", "-50" → "-5.0": tenths of a point as text.
    fileprivate var withDecimal: String {
        let negative = hasPrefix("-")
        var digits = negative ? String(dropFirst()) : self
        while digits.count < 2 { digits = "0" + digits }
        return (negative ? "-" : "") + digits.dropLast() + "." + digits.suffix(1)
    }
}
