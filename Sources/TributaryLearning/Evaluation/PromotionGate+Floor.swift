import Foundation

extension PromotionGate {
    /// The absolute floor: the judged set (the newest, else the one the candidate does best on)
    /// must beat chance by `chanceMargin` and meet `minimumAccuracy` / `maximumError`; with no
    /// held-out set, the clients' reports are judged. Nothing to judge: no reason.
    func floorReasons(tasks: [TaskEvaluation], clientAccuracy: (parent: Double, candidate: Double)?,
                      clientError: ClientError?, classCount: Int?) -> [String] {
        if let judged = tasks.first(where: \.isNewest) ?? best(of: tasks) {
            if let error = judged.candidateError {
                return errorFloor("\(judged.name)", error: error, constant: judged.chance, what: "predicting the set's mean")
            }
            return accuracyFloor("\(judged.name)", accuracy: judged.candidateAccuracy, chance: judged.chance,
                                 what: "the majority-class rate \(points(judged.chance))")
        }
        if let clientError {
            guard let constant = clientError.constant else { return errorFloor("clients' reported", error: clientError.candidate, constant: nil, what: "") }
            return errorFloor("clients' reported", error: clientError.candidate, constant: constant, what: "predicting their data's mean")
        }
        if let clientAccuracy, let classCount, classCount > 0 {
            let chance = 1 / Double(classCount)
            return accuracyFloor("clients' reported", accuracy: clientAccuracy.candidate, chance: chance,
                                 what: "chance \(points(chance)) (1/\(classCount) classes)")
        }
        return []
    }

    /// The set the candidate is furthest above chance on.
    private func best(of tasks: [TaskEvaluation]) -> TaskEvaluation? {
        tasks.max { a, b in
            if let ea = a.candidateError, let eb = b.candidateError {
                return ea / max(a.chance, 1e-12) > eb / max(b.chance, 1e-12)
            }
            return a.candidateAccuracy - a.chance < b.candidateAccuracy - b.chance
        }
    }

    private func accuracyFloor(_ name: String, accuracy: Double, chance: Double, what: String) -> [String] {
        var reasons: [String] = []
        if let chanceMargin, accuracy <= chance + chanceMargin + 1e-12 {
            reasons.append("\(name) accuracy \(points(accuracy)) is not above \(what) by more than the \(points(chanceMargin)) points required")
        }
        if accuracy < minimumAccuracy - 1e-12 {
            reasons.append("\(name) accuracy \(points(accuracy)) is below the floor \(points(minimumAccuracy))")
        }
        return reasons
    }

    private func errorFloor(_ name: String, error: Double, constant: Double?, what: String) -> [String] {
        var reasons: [String] = []
        if let constant, let chanceMargin, error > (1 - chanceMargin) * constant + 1e-12 {
            reasons.append("\(name) RMSE \(figure(error)) is not below \(what) (RMSE \(figure(constant))) by the \(points(chanceMargin))% required (at most \(figure((1 - chanceMargin) * constant)))")
        }
        if let maximumError, error > maximumError + 1e-12 {
            reasons.append("\(name) RMSE \(figure(error)) is above the floor's maximum \(figure(maximumError))")
        }
        return reasons
    }

    /// A regression drop: RMSE rising by more than `maxErrorRise` times the parent's.
    func errorRise(_ name: String, parent: Double, candidate: Double) -> [String] {
        guard candidate > parent * (1 + maxErrorRise) + 1e-12 else { return [] }
        return ["\(name) RMSE rose from \(figure(parent)) to \(figure(candidate)), more than the \(points(maxErrorRise))% allowed"]
    }
}

/// A real-valued figure in a reason: four significant digits.
func figure(_ value: Double) -> String { String(format: "%.4g", value) }
