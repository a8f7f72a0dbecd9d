import TributaryNumerics

/// The bound on ‖Δᵢ‖₂ a round enforces, fixed when the round opens from the base model.
public enum DeltaNormBound: Sendable, Equatable {
    /// No bound: only when the operator writes `max_delta_norm: off`.
    case off
    /// ‖Δᵢ‖₂ ≤ this value.
    case absolute(Float)
    /// ‖Δᵢ‖₂ ≤ ratio × max(1, ‖θ_base‖₂): scales with the model, and the floor of 1 keeps a model
    /// whose parameters are near zero trainable.
    case relative(ratio: Float)

    /// On by default: a client's change may be at most 10 times the size of the whole model.
    public static let `default` = DeltaNormBound.relative(ratio: 10)

    /// The bound for a round whose base parameters are `base` (`.infinity` when off).
    public func limit(base: [Float]) -> Float {
        switch self {
        case .off: return .infinity
        case .absolute(let value): return value
        case .relative(let ratio):
            let norm = base.withUnsafeBufferPointer { VectorMath.sumOfSquares($0) }.squareRoot()
            return ratio * max(1, norm.isFinite ? norm : 1)
        }
    }

    /// Throws when the value or ratio is not a positive finite number.
    public func validate() throws {
        switch self {
        case .off: return
        case .absolute(let value) where !(value > 0 && value.isFinite):
            throw AggregationError(.invalidConfiguration, "max delta norm is \(value); must be a positive finite number (or off)")
        case .relative(let ratio) where !(ratio > 0 && ratio.isFinite):
            throw AggregationError(.invalidConfiguration, "max delta ratio is \(ratio); must be a positive finite number")
        default: return
        }
    }
}
