import TributaryNumerics

/// Folds client updates into running sums as they arrive, so a round holds O(1) models however
/// many clients take part: at most two model-sized buffers (three with a Fisher under FedAvg), never
/// one per client.
///
/// - FedAvg: `weightedDeltaSum` = Σ nᵢ Δᵢ.
/// - Fisher-weighted: `weightedDeltaSum` = Σ nᵢ Fᵢ ⊙ Δᵢ and `weightedFisherSum` = Σ nᵢ Fᵢ.
/// - Whenever updates carry a Fisher, `weightedFisherSum` also gives the fleet's mean Fisher
///   Σ nᵢ Fᵢ / Σ nᵢ for the global online-EWC state.
///
/// Every update is validated before it touches a sum, so a refused update leaves the aggregator
/// exactly as it was; an accepted one is clipped to the ``UpdateBounds`` first (from `history`,
/// which learns from each accepted update), so what it weighs is bounded whatever it claims.
public struct StreamingAggregator: Sendable {
    public let policy: UpdatePolicy
    public let rule: AggregationRule
    public let bounds: UpdateBounds
    /// The norms the adaptive bounds use: the previous rounds' and this round's accepted ones.
    public private(set) var history: BoundsHistory
    /// This round's per-parameter Fisher caps (empty: none), from `history.referenceFisher`.
    private let fisherCaps: [Float]
    /// Accepted updates the bounds clipped.
    public private(set) var clippedCount = 0

    var weightedDeltaSum: [Float]  // changed only by fold and perturbSums (StreamingAggregator+Noise)
    var weightedFisherSum: [Float]
    /// Σ nᵢ over accepted updates.
    public private(set) var totalExamples: Int = 0
    /// Σ nᵢ over accepted updates that carried a Fisher.
    public private(set) var fisherExamples: Int = 0
    public private(set) var participants: [Participant] = []
    private var clientIDs: Set<String> = []

    /// - Parameters:
    ///   - bounds: the adaptive bounds (off by default for in-process experiments; the
    ///     coordinator passes its configured ones, on by default).
    ///   - history: what the previous rounds' accepted updates taught the bounds.
    public init(policy: UpdatePolicy, rule: AggregationRule, bounds: UpdateBounds = .off, history: BoundsHistory? = nil) throws {
        try rule.validate()
        try bounds.validate()
        var policy = policy
        if rule.needsFisher { policy.requireFisher = true }
        self.policy = policy
        self.rule = rule
        self.bounds = bounds
        let history = history ?? BoundsHistory(capacity: bounds.history)
        self.history = history
        fisherCaps = bounds.fisherCaps(reference: history.referenceFisher, count: policy.layout.totalCount)
        weightedDeltaSum = [Float](repeating: 0, count: policy.layout.totalCount)
        weightedFisherSum = rule.needsFisher ? [Float](repeating: 0, count: policy.layout.totalCount) : []
    }

    /// Floats held in running sums: constant in the number of clients folded.
    public var storageCount: Int { weightedDeltaSum.count + weightedFisherSum.count }

    public var acceptedCount: Int { participants.count }

    /// Validates `update` and, if it passes, folds it into the sums. A thrown error means the
    /// aggregator is unchanged.
    @discardableResult
    public mutating func fold(_ update: ClientUpdate) throws -> Participant {
        var update = update
        let checked = try policy.validate(update)
        guard !clientIDs.contains(update.clientID) else {
            throw AggregationError(
                .duplicateClient, "client '\(update.clientID)': already has an accepted update in round \(policy.roundID)",
                clientID: update.clientID)
        }
        guard totalExamples <= Int.max - update.examples else {
            throw AggregationError(.tooManyExamples, "client '\(update.clientID)': examples \(update.examples) overflows the round's total", clientID: update.clientID)
        }
        if !bounds.isOff {
            let fisherNorm = update.fisher.map { f in f.withUnsafeBufferPointer { VectorMath.sumOfSquares($0) }.squareRoot() }
            let clipping = bounds.clip(&update, deltaNorm: checked.deltaNorm, fisherNorm: fisherNorm, caps: fisherCaps, history: history)
            if clipping.clipped { clippedCount += 1 }
            history.deltaNorms.append(checked.deltaNorm)
            if let fisherNorm { history.fisherNorms.append(fisherNorm) }
        }
        let weight = Float(update.examples)
        switch rule {
        case .fedAvg:
            update.delta.withUnsafeBufferPointer { x in
                weightedDeltaSum.withUnsafeMutableBufferPointer { y in BLAS.axpy(weight, x: x, y: y) }
            }
            if let fisher = update.fisher {
                if weightedFisherSum.isEmpty { weightedFisherSum = [Float](repeating: 0, count: policy.layout.totalCount) }
                fisher.withUnsafeBufferPointer { x in
                    weightedFisherSum.withUnsafeMutableBufferPointer { y in BLAS.axpy(weight, x: x, y: y) }
                }
            }
        case .fisherWeighted:
            let fisher = update.fisher!  // validation required it
            update.delta.withUnsafeBufferPointer { d in
                fisher.withUnsafeBufferPointer { f in
                    weightedDeltaSum.withUnsafeMutableBufferPointer { num in
                        weightedFisherSum.withUnsafeMutableBufferPointer { den in
                            FoldKernels.foldFisherWeighted(weight: weight, delta: d, fisher: f, numerator: num, denominator: den)
                        }
                    }
                }
            }
        }
        totalExamples += update.examples
        if update.fisher != nil { fisherExamples += update.examples }
        clientIDs.insert(update.clientID)
        let participant = Participant(clientID: update.clientID, examples: update.examples, deltaNorm: checked.deltaNorm)
        participants.append(participant)
        return participant
    }

    /// Takes a round's sums whole, as secure aggregation returns them once unmasked: no client's
    /// update is seen, only `deltaSum` (Σ nᵢΔᵢ under FedAvg, Σ nᵢFᵢ⊙Δᵢ under the Fisher-weighted
    /// rule), `fisherSum` (Σ nᵢFᵢ; required by the Fisher-weighted rule), `examples` (Σ nᵢ) and who
    /// contributed (each listed with 0 examples and norm 0: their own values are not known).
    /// The edges clipped to the round's bounds before masking, so nothing is clipped here.
    /// - Throws: `invalidUpdate` when a sum has the wrong length or a value that is not finite,
    ///   or the rule needs a Fisher sum that is absent; `duplicateClient` when the round has folded
    ///   updates already.
    public mutating func absorbSums(deltaSum: [Float], fisherSum: [Float]?, examples: Int, contributors: [String]) throws {
        guard participants.isEmpty else {
            throw AggregationError(.duplicateClient, "round \(policy.roundID) already folded \(participants.count) updates; secure sums replace them all")
        }
        let count = policy.layout.totalCount
        func check(_ sum: [Float], _ name: String) throws {
            guard sum.count == count else {
                throw AggregationError(.invalidSecureSum, "round \(policy.roundID): the secure \(name) sum has \(sum.count) values; the model has \(count)")
            }
            if let bad = sum.firstIndex(where: { !$0.isFinite }) {
                throw AggregationError(.invalidSecureSum, "round \(policy.roundID): the secure \(name) sum[\(bad)] is \(sum[bad])")
            }
        }
        try check(deltaSum, "delta")
        if let fisherSum { try check(fisherSum, "Fisher") }
        if rule.needsFisher && fisherSum == nil {
            throw AggregationError(.invalidSecureSum, "round \(policy.roundID): the Fisher-weighted rule needs the secure Fisher sum")
        }
        guard examples > 0 else {
            throw AggregationError(.invalidSecureSum, "round \(policy.roundID): the secure example sum is \(examples); it must be > 0")
        }
        weightedDeltaSum = deltaSum
        if let fisherSum {
            weightedFisherSum = fisherSum
            fisherExamples = examples
        }
        totalExamples = examples
        participants = contributors.map { Participant(clientID: $0, examples: 0, deltaNorm: 0) }
        clientIDs = Set(contributors)
    }
}
