/// What EWC remembers of past tasks: diagonal Fisher information and the anchor parameters
/// θ* it was measured at. Online mode keeps one term; separate mode one per task.
public struct EWCState: Sendable, Equatable, Hashable {
    public struct Term: Sendable, Equatable, Hashable {
        public var fisher: [Float]
        public var anchor: [Float]

        public init(fisher: [Float], anchor: [Float]) {
            precondition(fisher.count == anchor.count, "EWC term: Fisher has \(fisher.count) values, anchor \(anchor.count)")
            self.fisher = fisher
            self.anchor = anchor
        }
    }

    public var terms: [Term]
    /// How many tasks (jobs) have been consolidated into the state.
    public var consolidations: Int

    public init(terms: [Term] = [], consolidations: Int = 0) {
        self.terms = terms
        self.consolidations = consolidations
    }

    public var isEmpty: Bool { terms.isEmpty }

    /// Folds a new task's Fisher, measured at `anchor`, into the state.
    public mutating func consolidate(fisher: [Float], anchor: [Float], mode: EWCConfiguration.Mode) {
        switch mode {
        case .separate:
            terms.append(Term(fisher: fisher, anchor: anchor))
        case .online(let gamma):
            if var term = terms.first, terms.count == 1 {
                for j in term.fisher.indices { term.fisher[j] = gamma * term.fisher[j] + fisher[j] }
                term.anchor = anchor
                terms = [term]
            } else {
                // Switching from separate to online: start from the summed Fisher.
                var summed = fisher
                for old in terms { for j in summed.indices { summed[j] += gamma * old.fisher[j] } }
                terms = [Term(fisher: summed, anchor: anchor)]
            }
        }
        consolidations += 1
    }

    /// λ/2 · Σ_terms Σⱼ Fⱼ (θⱼ − θ*ⱼ)².
    public func penalty(at parameters: [Float], lambda: Float) -> Double {
        var total = 0.0
        for term in terms {
            for j in parameters.indices {
                let d = Double(parameters[j] - term.anchor[j])
                total += Double(term.fisher[j]) * d * d
            }
        }
        return 0.5 * Double(lambda) * total
    }

    /// Checks every term fits a model of `parameterCount` parameters and is finite.
    public func validate(parameterCount: Int) throws {
        for (index, term) in terms.enumerated() {
            guard term.fisher.count == parameterCount, term.anchor.count == parameterCount else {
                throw LearningError(
                    .shapeMismatch,
                    "EWC term \(index) has \(term.fisher.count) Fisher values and \(term.anchor.count) anchor values, the model has \(parameterCount) parameters")
            }
            if let bad = term.fisher.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
                throw LearningError(.nonFinite, "EWC term \(index): Fisher value \(term.fisher[bad]) at parameter \(bad) is not a finite non-negative number")
            }
        }
    }
}
