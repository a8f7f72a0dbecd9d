/// What a server optimizer carries from round to round: the step count, the first moment m and
/// the second moment v (empty when the rule has none). Codable, so a coordinator can persist it
/// with each model version; `floats` and `init(step:floats:parameterCount:)` give a flat form for
/// binary storage.
public struct ServerOptimizerState: Sendable, Equatable, Hashable, Codable {
    public var step: Int
    public var momentum: [Float]
    public var secondMoment: [Float]

    public init(step: Int = 0, momentum: [Float] = [], secondMoment: [Float] = []) {
        self.step = step
        self.momentum = momentum
        self.secondMoment = secondMoment
    }

    /// m followed by v, for writing as one block.
    public var floats: [Float] { momentum + secondMoment }

    /// Rebuilds a state from `floats` (m then v) for a model of `parameterCount` parameters.
    public init(step: Int, floats: [Float], parameterCount: Int) throws {
        guard parameterCount > 0, floats.count % parameterCount == 0, floats.count <= 2 * parameterCount else {
            throw AggregationError(.stateMismatch, "server optimizer state: \(floats.count) floats do not split into m and v of \(parameterCount)")
        }
        self.step = step
        momentum = Array(floats.prefix(min(floats.count, parameterCount)))
        secondMoment = floats.count == 2 * parameterCount ? Array(floats.suffix(parameterCount)) : []
    }
}
