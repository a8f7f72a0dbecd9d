import Foundation
import TributaryNumerics

/// Decides whether a candidate model may replace the live one, from evaluations of both on the
/// same held-out sets: no task drops more than `maxTaskDrop` (the backward-transfer gate), the
/// newest data's accuracy is not below the parent's, stability stays above a floor, and the
/// clients' reported held-out accuracy does not fall by more than a margin. Whatever the held-out
/// sets say (and with none), a candidate with a non-finite parameter, or whose parameter norm grew
/// more than `maxParameterGrowth` times its parent's, is refused.
///
/// The floor: besides drops against the parent, a candidate must beat chance. On a held-out set
/// chance is the best a constant predictor does there: the majority-class rate for a classifier
/// (accuracy must exceed it by `chanceMargin` and reach `minimumAccuracy`), the standard
/// deviation of the targets for a regression model (the RMSE of predicting their mean: the
/// candidate's RMSE must be at most (1 − `chanceMargin`) times it, and at most `maximumError`).
/// The set judged is the newest one when one is marked, else the one the candidate does best on
/// (a continual fleet's later tasks are still unlearned). With no held-out set the clients'
/// reports are judged instead, against 1/classes (or the RMSE of predicting their data's mean,
/// when they report it). A regression model's drops are rises of RMSE, by more than
/// `maxErrorRise` times the parent's.
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
    /// How far above chance a candidate must be: accuracy points above the majority-class rate
    /// (0.05 = 5 points), or for regression the fraction by which its RMSE must be below the
    /// constant predictor's (0.05: at most 95% of it). nil: no chance floor (a simulation that
    /// measures learning, not a deployment).
    public var chanceMargin: Double?
    /// The lowest accepted accuracy of a classifier on the judged set (0: none beyond chance).
    public var minimumAccuracy: Double
    /// Regression: largest accepted rise of a set's RMSE (or the clients'), as a fraction of the
    /// parent's (0.05 = 5% higher).
    public var maxErrorRise: Double
    /// Regression: the highest accepted RMSE on the judged set (nil: none beyond chance).
    public var maximumError: Double?

    public init(maxTaskDrop: Double = 0.05, maxNewDataDrop: Double = 0, minimumStability: Double = 0, maxClientAccuracyDrop: Double = 0.05,
                maxParameterGrowth: Double = 10, chanceMargin: Double? = 0.05, minimumAccuracy: Double = 0, maxErrorRise: Double = 0.05,
                maximumError: Double? = nil) {
        self.chanceMargin = chanceMargin
        self.minimumAccuracy = minimumAccuracy
        self.maxErrorRise = maxErrorRise
        self.maximumError = maximumError
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
        /// What a constant predictor does on this set: the majority-class rate (classification)
        /// or the RMSE of predicting the targets' mean (regression).
        public var chance: Double = 0
        /// RMSE of the parent and the candidate (regression models only; lower is better).
        public var parentError: Double? = nil
        public var candidateError: Double? = nil
        /// The candidate's mean absolute error (regression models only).
        public var candidateMAE: Double? = nil

        /// True for a regression model's evaluation (judged by RMSE).
        public var isRegression: Bool { candidateError != nil }
    }

    public struct Decision: Sendable, Equatable, Codable {
        public var promote: Bool
        /// Why the candidate failed (empty when it passed).
        public var reasons: [String]
    }

    /// Evaluates `parent` and `candidate` on each named held-out set.
    public static func evaluate(parent: Sequential, candidate: Sequential, on sets: [(name: String, data: Dataset)], newest: String? = nil) -> [TaskEvaluation] {
        sets.map { set in
            let before = Evaluation.evaluate(parent, on: set.data), after = Evaluation.evaluate(candidate, on: set.data)
            let regression = candidate.spec.isRegression
            return TaskEvaluation(
                name: set.name, parentAccuracy: before.accuracy, candidateAccuracy: after.accuracy,
                stability: regression ? 1 : Evaluation.stability(parent: parent, candidate: candidate, on: set.data), isNewest: set.name == newest,
                chance: regression ? Evaluation.constantPredictorRMSE(on: set.data) : Evaluation.majorityRate(on: set.data),
                parentError: before.rootMeanSquaredError, candidateError: after.rootMeanSquaredError, candidateMAE: after.meanAbsoluteError)
        }
    }

    /// `clientAccuracy`: the clients' reported (parent, candidate) held-out accuracy, example-weighted.
    /// `clientError`: a regression fleet's reported (parent, candidate) RMSE, and the RMSE of
    /// predicting their data's mean when reported. `classCount`: the model's classes, for the
    /// clients' chance level (nil: a regression model).
    /// `parameters`: both models' flat parameters, judged for non-finite values and growth.
    public func decide(
        tasks: [TaskEvaluation], clientAccuracy: (parent: Double, candidate: Double)? = nil,
        parameters: (parent: [Float], candidate: [Float], layout: ParameterLayout)? = nil,
        clientError: ClientError? = nil, classCount: Int? = nil
    ) -> Decision {
        var reasons: [String] = []
        for task in tasks {
            if task.isRegression {
                reasons += errorRise(task.name, parent: task.parentError ?? 0, candidate: task.candidateError ?? 0)
                continue
            }
            let drop = task.parentAccuracy - task.candidateAccuracy
            let limit = task.isNewest ? maxNewDataDrop : maxTaskDrop
            if drop > limit + 1e-12 {
                reasons.append("\(task.name): accuracy fell \(points(drop)) points (\(points(task.parentAccuracy)) → \(points(task.candidateAccuracy))), more than the \(points(limit)) allowed")
            }
            if task.stability < minimumStability {
                reasons.append("\(task.name): stability \(points(task.stability))% is below the floor \(points(minimumStability))%")
            }
        }
        if let clientAccuracy, clientError == nil, clientAccuracy.parent - clientAccuracy.candidate > maxClientAccuracyDrop + 1e-12 {
            reasons.append("clients' held-out accuracy fell from \(points(clientAccuracy.parent)) to \(points(clientAccuracy.candidate)), more than \(points(maxClientAccuracyDrop)) points")
        }
        if let clientError { reasons += errorRise("clients' reported", parent: clientError.parent, candidate: clientError.candidate) }
        reasons += floorReasons(tasks: tasks, clientAccuracy: clientAccuracy, clientError: clientError, classCount: classCount)
        if let parameters { reasons += parameterReasons(parameters.parent, parameters.candidate, layout: parameters.layout) }
        return Decision(promote: reasons.isEmpty, reasons: reasons)
    }

    /// A regression fleet's own reports: RMSE before and after the local jobs, example-weighted,
    /// and the RMSE of predicting the mean of the clients' data (nil when not reported).
    public struct ClientError: Sendable, Equatable {
        public var parent: Double
        public var candidate: Double
        public var constant: Double?

        public init(parent: Double, candidate: Double, constant: Double? = nil) {
            self.parent = parent
            self.candidate = candidate
            self.constant = constant
        }
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

/// Tenths of a point: 0.853 → "85.3".
func points(_ value: Double) -> String { String(Int((value * 1000).rounded())).withDecimal }

extension String {
    /// "853" → "85.3", "-50" → "-5.0": tenths of a point as text.
    fileprivate var withDecimal: String {
        let negative = hasPrefix("-")
        var digits = negative ? String(dropFirst()) : self
        while digits.count < 2 { digits = "0" + digits }
        return (negative ? "-" : "") + digits.dropLast() + "." + digits.suffix(1)
    }
}
