import TributaryExperiments
import TributaryWire

extension FaultConfiguration.DishonestKind {
    /// The honest `update` rewritten as this kind of liar sends it (a value that cannot be
    /// represented is left as it was).
    func rewrite(_ update: Update) -> Update {
        var lie = update
        switch self {
        case .inflate:
            lie.numExamples = update.numExamples.multipliedReportingOverflow(by: 1_000_000).overflow ? .max : update.numExamples * 1_000_000
            lie.fisher = update.fisher.map { Self.scaled($0, by: 1e6) }
        case .fisher:
            lie.fisher = update.fisher.map { Self.scaled($0, by: 1e6) }
        case .scale:
            lie.delta = Self.scaled(update.delta, by: 100)
        }
        return lie
    }

    private static func scaled(_ set: ParameterSet, by factor: Float) -> ParameterSet {
        let shapes = set.entries.map { (name: $0.name, shape: $0.shape) }
        return (try? ParameterSet(scalars: set.scalars.map { $0 * factor }, shapes: shapes)) ?? set
    }
}
