import TributaryNumerics

extension UpdatePolicy {
    /// What validation learned about an accepted update (so folding need not recompute it).
    public struct Checked: Sendable, Equatable {
        public var deltaNorm: Float
    }

    /// Checks `update` against the round, cheapest checks first; reads every value of the delta
    /// and Fisher once. Throws the first failure as an `AggregationError` naming the client,
    /// the field and the value.
    public func validate(_ update: ClientUpdate) throws -> Checked {
        let client = update.clientID
        func fail(_ code: AggregationError.Code, _ reason: String) -> AggregationError {
            AggregationError(code, "client '\(client)': \(reason)", clientID: client)
        }
        guard update.roundID == roundID else {
            throw fail(.staleRound, "roundID is \(update.roundID), the current round is \(roundID)")
        }
        guard update.baseVersion == baseVersion else {
            throw fail(.baseVersionMismatch, "baseVersion is \(update.baseVersion), the round's base is \(baseVersion)")
        }
        guard update.layout == layout else {
            throw fail(.layoutMismatch, "layout is [\(Self.describe(update.layout))], the model's is [\(Self.describe(layout))]")
        }
        guard update.delta.count == layout.totalCount else {
            throw fail(.shapeMismatch, "delta has \(update.delta.count) values, the model has \(layout.totalCount)")
        }
        guard update.examples > 0 else {
            throw fail(.nonPositiveExamples, "examples is \(update.examples), must be > 0")
        }
        guard update.examples <= maxExamples else {
            throw fail(.tooManyExamples, "examples is \(update.examples), the bound is \(maxExamples)")
        }
        if let fisher = update.fisher {
            guard fisher.count == layout.totalCount else {
                throw fail(.shapeMismatch, "fisher has \(fisher.count) values, the model has \(layout.totalCount)")
            }
        } else if requireFisher {
            throw fail(.missingFisher, "fisher is absent, this round needs a Fisher diagonal")
        }
        let sumOfSquares = update.delta.withUnsafeBufferPointer { VectorMath.sumOfSquares($0) }
        if !sumOfSquares.isFinite {
            // Either a non-finite value, or finite values whose squares overflow.
            if let bad = update.delta.firstIndex(where: { !$0.isFinite }) {
                throw fail(.nonFiniteDelta, "delta[\(bad)] (\(Self.name(of: bad, in: layout))) is \(update.delta[bad])")
            }
        }
        let norm = sumOfSquares.squareRoot()
        guard norm <= maxDeltaNorm else {
            // A norm past Float's range is shown as computed in Double, not as "inf".
            let shown = norm.isFinite ? "\(norm)" : "\(update.delta.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot())"
            throw fail(.normTooLarge, "delta L2 norm is \(shown), the bound is \(maxDeltaNorm)")
        }
        if let fisher = update.fisher {
            let (finite, minimum) = fisher.withUnsafeBufferPointer { FoldKernels.finiteAndMinimum($0) }
            if !finite {
                let bad = fisher.firstIndex { !$0.isFinite }!
                throw fail(.nonFiniteFisher, "fisher[\(bad)] (\(Self.name(of: bad, in: layout))) is \(fisher[bad])")
            }
            if minimum < 0 {
                let bad = fisher.firstIndex { $0 < 0 }!
                throw fail(.negativeFisher, "fisher[\(bad)] (\(Self.name(of: bad, in: layout))) is \(fisher[bad]), must be ≥ 0")
            }
        }
        return Checked(deltaNorm: norm)
    }

    /// Checks what an update reports besides its tensors: `examples` as sent (before any
    /// narrowing) within 1...`maxExamples` and, when the client's plan stated a largest count
    /// (`stated`, from the examples it announced), within 1...`stated`; and every metric finite.
    /// Throws an `AggregationError` naming the field and the value. A count over the stated one
    /// is refused, not clamped: an honest client trains on at most what its plan states, so the
    /// count is a lie, and the rest of that update cannot be trusted either.
    public func validate(client: String, examples: UInt64, metrics: [String: Double], stated: Int? = nil) throws {
        guard examples >= 1, examples <= UInt64(maxExamples) else {
            let code: AggregationError.Code = examples == 0 ? .nonPositiveExamples : .tooManyExamples
            throw AggregationError(code, "client '\(client)': num_examples is \(examples), must be in 1...\(maxExamples)", clientID: client)
        }
        if let stated, examples > UInt64(max(stated, 0)) {
            throw AggregationError(
                .tooManyExamples, "client '\(client)': num_examples is \(examples); its plan stated at most \(stated) (the examples it announced)",
                clientID: client)
        }
        for key in metrics.keys.sorted() where !metrics[key]!.isFinite {
            throw AggregationError(.nonFiniteMetric, "client '\(client)': metrics[\"\(key)\"] is \(metrics[key]!), must be finite", clientID: client)
        }
    }

    /// "dense1.weight[3]" for flat index 3 + offset of dense1.weight.
    static func name(of index: Int, in layout: ParameterLayout) -> String {
        layout.name(ofFlatIndex: index) ?? "index \(index)"
    }

    static func describe(_ layout: ParameterLayout) -> String {
        layout.entries.map { "\($0.name) \($0.shape)" }.joined(separator: ", ")
    }
}
