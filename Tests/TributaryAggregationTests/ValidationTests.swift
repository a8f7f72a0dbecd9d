import Testing
@testable import TributaryAggregation
import TributaryNumerics

@Suite struct ValidationTests {
    /// An aggregator that already holds one good update.
    func primed(_ rule: AggregationRule = .fedAvg, maxNorm: Float = 100) throws -> StreamingAggregator {
        var aggregator = try StreamingAggregator(policy: Fixtures.policy(maxNorm: maxNorm), rule: rule)
        try aggregator.fold(Fixtures.update("good", [1, 2, 3, 4], fisher: [1, 1, 1, 1], n: 2))
        return aggregator
    }

    static let cases: [(String, ClientUpdate, AggregationError.Code, [String])] = [
        ("stale round", Fixtures.update("r", [0, 0, 0, 0], n: 1, round: 6), .staleRound, ["'r'", "roundID", "6", "7"]),
        ("base version", Fixtures.update("v", [0, 0, 0, 0], n: 1, base: 2), .baseVersionMismatch, ["'v'", "baseVersion", "2", "3"]),
        ("layout", Fixtures.update("l", [0, 0, 0, 0], n: 1, layout: ParameterLayout([(name: "w", shape: [4])])), .layoutMismatch, ["'l'", "layout", "[4]", "[2, 2]"]),
        ("delta length", ClientUpdate(clientID: "s", roundID: 7, baseVersion: 3, layout: Fixtures.layout2x2, delta: [0, 0, 0], examples: 1), .shapeMismatch, ["'s'", "delta", "3 values"]),
        ("fisher length", Fixtures.update("f", [0, 0, 0, 0], fisher: [1, 1], n: 1), .shapeMismatch, ["'f'", "fisher", "2 values"]),
        ("zero n", Fixtures.update("z", [0, 0, 0, 0], n: 0), .nonPositiveExamples, ["'z'", "examples", "0"]),
        ("negative n", Fixtures.update("z", [0, 0, 0, 0], n: -4), .nonPositiveExamples, ["'z'", "examples", "-4"]),
        ("NaN delta", Fixtures.update("nan", [0, .nan, 0, 0], n: 1), .nonFiniteDelta, ["'nan'", "delta[1]", "w[1]", "nan"]),
        ("infinite delta", Fixtures.update("inf", [0, 0, 0, -.infinity], n: 1), .nonFiniteDelta, ["'inf'", "delta[3]", "-inf"]),
        ("NaN fisher", Fixtures.update("fn", [0, 0, 0, 0], fisher: [0, 0, .nan, 0], n: 1), .nonFiniteFisher, ["'fn'", "fisher[2]", "nan"]),
        ("negative fisher", Fixtures.update("fneg", [0, 0, 0, 0], fisher: [0, -0.5, 0, 0], n: 1), .negativeFisher, ["'fneg'", "fisher[1]", "-0.5"]),
        ("norm", Fixtures.update("big", [300, 400, 0, 0], n: 1), .normTooLarge, ["'big'", "norm", "500", "100"]),
        ("absurd n", Fixtures.update("many", [0, 0, 0, 0], n: 1_000_000_000_000_000), .tooManyExamples, ["'many'", "examples", "1000000000000000", "1000000"]),
        ("duplicate", Fixtures.update("good", [0, 0, 0, 0], n: 1), .duplicateClient, ["'good'", "round 7"]),
    ]

    @Test(arguments: 0..<cases.count)
    func refusedUpdateLeavesTheAggregatorUntouched(index: Int) throws {
        let (name, update, code, words) = Self.cases[index]
        var aggregator = try primed()
        let before = try aggregator.aggregate()
        do {
            try aggregator.fold(update)
            Issue.record("\(name): accepted")
        } catch let error as AggregationError {
            #expect(error.code == code, "\(name): \(error)")
            #expect(error.clientID == update.clientID)
            for word in words { #expect(error.reason.contains(word), "\(name): '\(word)' not in \(error.reason)") }
        }
        #expect(try aggregator.aggregate() == before, "\(name)")
        #expect(aggregator.acceptedCount == 1)
    }

    @Test func fisherWeightedNeedsAFisher() throws {
        var aggregator = try primed(.fisherWeighted())
        let before = try aggregator.aggregate()
        #expect { try aggregator.fold(Fixtures.update("nof", [0, 0, 0, 0], n: 1)) } throws: {
            ($0 as? AggregationError)?.code == .missingFisher && "\($0)".contains("'nof'")
        }
        #expect(try aggregator.aggregate() == before)
    }

    @Test func hugeFiniteValuesAreANormFailureNotNonFinite() throws {
        var aggregator = try primed()
        #expect { try aggregator.fold(Fixtures.update("huge", [3e38, 3e38, 0, 0], n: 1)) } throws: {
            ($0 as? AggregationError)?.code == .normTooLarge
        }
    }

    @Test func normExactlyAtTheBoundIsAccepted() throws {
        var aggregator = try StreamingAggregator(policy: Fixtures.policy(maxNorm: 5), rule: .fedAvg)
        try aggregator.fold(Fixtures.update("edge", [3, 4, 0, 0], n: 1))
        #expect(aggregator.participants.last == Participant(clientID: "edge", examples: 1, deltaNorm: 5))
    }

    @Test func badPolicyIsRefused() {
        #expect { try UpdatePolicy(layout: Fixtures.layout2x2, roundID: 1, baseVersion: 1, maxDeltaNorm: 0) } throws: {
            ($0 as? AggregationError)?.code == .invalidConfiguration && "\($0)".contains("maxDeltaNorm is 0")
        }
        #expect { try UpdatePolicy(layout: ParameterLayout(), roundID: 1, baseVersion: 1) } throws: {
            ($0 as? AggregationError)?.code == .invalidConfiguration
        }
    }

    @Test func reportedFieldsAreCheckedAsSentBeforeAnyNarrowing() throws {
        let policy = try Fixtures.policy()
        func refusal(_ examples: UInt64, _ metrics: [String: Double] = [:]) -> AggregationError? {
            do { try policy.validate(client: "e", examples: examples, metrics: metrics); return nil } catch { return error as? AggregationError }
        }
        #expect(refusal(1_000_000) == nil && refusal(1, ["eval.accuracy": 0.5]) == nil)
        for count: UInt64 in [1 << 63, .max, 1_000_001] {
            let error = try #require(refusal(count))
            #expect(error.code == .tooManyExamples && error.reason.contains("num_examples is \(count), must be in 1...1000000"), "\(error)")
        }
        #expect(refusal(0)?.code == .nonPositiveExamples)
        let metric = try #require(refusal(5, ["a": 1, "eval.loss": .infinity]))
        #expect(metric.code == .nonFiniteMetric && metric.reason.contains("metrics[\"eval.loss\"] is inf"), "\(metric)")
    }

    @Test func theDefaultDeltaBoundIsRelativeToTheBaseModel() throws {
        #expect(DeltaNormBound.default == .relative(ratio: 10))
        #expect(DeltaNormBound.default.limit(base: [3, 4]) == 50)
        #expect(DeltaNormBound.default.limit(base: [0, 0.1]) == 10, "a model near zero is measured as 1")
        #expect(DeltaNormBound.absolute(7).limit(base: [3, 4]) == 7)
        #expect(DeltaNormBound.off.limit(base: [3, 4]) == .infinity)
        #expect(throws: AggregationError.self) { try DeltaNormBound.absolute(0).validate() }
        #expect(throws: AggregationError.self) { try DeltaNormBound.relative(ratio: .nan).validate() }
    }
}
