import TributaryNumerics

/// What a round accepts: the model layout, the round and base version it is collecting for, and
/// bounds on what a client may send. Validated once, at construction.
public struct UpdatePolicy: Sendable, Equatable {
    public var layout: ParameterLayout
    public var roundID: UInt64
    public var baseVersion: UInt64
    /// Largest accepted ‖Δᵢ‖₂ (`.infinity` for no bound).
    public var maxDeltaNorm: Float
    /// Refuse updates without a Fisher diagonal (always true under the Fisher-weighted rule).
    public var requireFisher: Bool
    /// Largest accepted nᵢ: one client cannot outweigh a fleet by claiming absurd counts, and the
    /// round's Σ nᵢ cannot overflow.
    public var maxExamples: Int

    public init(
        layout: ParameterLayout, roundID: UInt64, baseVersion: UInt64, maxDeltaNorm: Float = .infinity,
        requireFisher: Bool = false, maxExamples: Int = 1_000_000
    ) throws {
        guard !maxDeltaNorm.isNaN, maxDeltaNorm > 0 else {
            throw AggregationError(.invalidConfiguration, "maxDeltaNorm is \(maxDeltaNorm), must be > 0")
        }
        guard maxExamples >= 1 else {
            throw AggregationError(.invalidConfiguration, "maxExamples is \(maxExamples), must be ≥ 1")
        }
        guard layout.totalCount > 0 else {
            throw AggregationError(.invalidConfiguration, "layout holds no parameters")
        }
        self.layout = layout
        self.roundID = roundID
        self.baseVersion = baseVersion
        self.maxDeltaNorm = maxDeltaNorm
        self.requireFisher = requireFisher
        self.maxExamples = maxExamples
    }
}
