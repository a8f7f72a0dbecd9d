/// How client deltas are combined into one server delta.
public enum AggregationRule: Sendable, Equatable, Hashable, Codable {
    /// Δ̄ = Σ nᵢ Δᵢ / Σ nᵢ (McMahan et al. 2017).
    case fedAvg
    /// Per parameter j: Δ̄ⱼ = Σᵢ nᵢ Fᵢⱼ Δᵢⱼ / (Σᵢ nᵢ Fᵢⱼ + εⱼ), with ε = `relativeEpsilon` × the mean
    /// over j of Σᵢ nᵢ Fᵢⱼ (plus `absoluteEpsilon`, so an all-zero Fisher gives Δ̄ = 0, not 0/0).
    /// Applied to deltas, so a parameter no client has information about keeps its value.
    case fisherWeighted(relativeEpsilon: Float = 1e-3, absoluteEpsilon: Float = 1e-12)

    /// True when every update must carry a Fisher diagonal.
    public var needsFisher: Bool {
        if case .fisherWeighted = self { return true }
        return false
    }

    func validate() throws {
        if case .fisherWeighted(let relative, let absolute) = self {
            guard relative.isFinite, relative >= 0 else {
                throw AggregationError(.invalidConfiguration, "fisherWeighted: relativeEpsilon is \(relative), must be finite and ≥ 0")
            }
            guard absolute.isFinite, absolute > 0 else {
                throw AggregationError(.invalidConfiguration, "fisherWeighted: absoluteEpsilon is \(absolute), must be finite and > 0")
            }
        }
    }
}
