/// A diagonal quadratic penalty ½ Σⱼ wⱼ (θⱼ − aⱼ)², the common form of EWC
/// (w = λ Σₜ Fₜ, a = Σₜ Fₜ θ*ₜ / Σₜ Fₜ — the same gradient as the sum of the per-task terms)
/// and of FedProx's proximal term (w = μ, a = θ_ref).
///
/// Its gradient wⱼ(θⱼ − aⱼ) is added to the data gradient with wⱼ capped at the optimizer's
/// `stableCurvature` (1/lr for SGD): an explicit step on ½w(θ − a)² diverges once lr·w > 2, and
/// with the cap the step moves a parameter at most onto its anchor, whatever λ is.
public struct QuadraticPenalty: Sendable, Equatable {
    public private(set) var weight: [Float]
    public private(set) var anchor: [Float]

    /// The penalty of an EWC state at strength λ, plus an optional proximal term μ/2‖θ − θ_ref‖².
    public init(parameterCount: Int, ewc: EWCState?, lambda: Float, proximal: (mu: Float, reference: [Float])? = nil) {
        var weight = [Float](repeating: 0, count: parameterCount)
        var weightedAnchor = [Float](repeating: 0, count: parameterCount)
        for term in ewc?.terms ?? [] where lambda > 0 {
            for j in 0..<parameterCount {
                let w = lambda * term.fisher[j]
                weight[j] += w
                weightedAnchor[j] += w * term.anchor[j]
            }
        }
        if let proximal, proximal.mu > 0 {
            for j in 0..<parameterCount {
                weight[j] += proximal.mu
                weightedAnchor[j] += proximal.mu * proximal.reference[j]
            }
        }
        for j in 0..<parameterCount where weight[j] > 0 { weightedAnchor[j] /= weight[j] }
        self.weight = weight
        self.anchor = weightedAnchor
    }

    /// True when the penalty is zero everywhere.
    public var isZero: Bool { !weight.contains { $0 > 0 } }

    /// gradient += min(w, cap) ⊙ (θ − a).
    public func addGradient(parameters: UnsafeBufferPointer<Float>, into gradient: UnsafeMutableBufferPointer<Float>, curvatureCap: Float) {
        weight.withUnsafeBufferPointer { w in
            anchor.withUnsafeBufferPointer { a in
                for j in 0..<gradient.count where w[j] > 0 {
                    gradient[j] += min(w[j], curvatureCap) * (parameters[j] - a[j])
                }
            }
        }
    }

    /// ½ Σⱼ wⱼ (θⱼ − aⱼ)².
    public func value(at parameters: [Float]) -> Double {
        var total = 0.0
        for j in parameters.indices where weight[j] > 0 {
            let d = Double(parameters[j] - anchor[j])
            total += Double(weight[j]) * d * d
        }
        return 0.5 * total
    }
}
