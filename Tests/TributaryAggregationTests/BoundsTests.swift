import Testing
import TributaryAggregation
import TributaryNumerics

/// The bounds a dishonest client cannot lie past (issue 16 item 4).
@Suite struct BoundsTests {
    static let layout = ParameterLayout([(name: "w", shape: [8])])

    static func policy(round: UInt64 = 1) throws -> UpdatePolicy {
        try UpdatePolicy(layout: layout, roundID: round, baseVersion: 1)
    }

    static func update(_ client: String, _ delta: [Float], fisher: [Float]? = nil, n: Int = 10, round: UInt64 = 1) -> ClientUpdate {
        ClientUpdate(clientID: client, roundID: round, baseVersion: 1, layout: layout, delta: delta, fisher: fisher, examples: n)
    }

    static func norm(_ x: [Float]) -> Float { x.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    /// Honest client i's delta and Fisher: the same direction, seeded small differences.
    static func honest(_ i: Int, generator: inout SeededGenerator) -> (delta: [Float], fisher: [Float]) {
        let delta = (0..<8).map { j in Float(j % 3 == 0 ? 1 : -0.5) * (1 + 0.2 * (generator.nextUnitFloat() - 0.5)) }
        let fisher = (0..<8).map { j in Float(j + 1) * 0.01 * (1 + 0.2 * (generator.nextUnitFloat() - 0.5)) }
        return (delta, fisher)
    }

    @Test func ringKeepsTheNewestNormsAndTheirMedian() {
        var ring = NormRing(capacity: 3)
        #expect(ring.median == nil)
        ring.append(5)
        ring.append(1)
        #expect(ring.median == 3)
        ring.append(9)
        ring.append(2)  // overwrites 5
        #expect(ring.values.sorted() == [1, 2, 9])
        #expect(ring.median == 2)
    }

    @Test func aScaledDeltaIsClippedToAMultipleOfTheMedianNorm() throws {
        var aggregator = try StreamingAggregator(policy: Self.policy(), rule: .fedAvg, bounds: UpdateBounds(deltaNormMultiple: 3, minimumHistory: 5))
        let honest: [Float] = [1, 0, 0, 0, 0, 0, 0, 0]
        // Before five norms are known, nothing is clipped: a liar first in line passes whole.
        for i in 0..<5 { try aggregator.fold(Self.update("h\(i)", honest)) }
        #expect(aggregator.clippedCount == 0)
        try aggregator.fold(Self.update("liar", honest.map { $0 * 100 }))
        #expect(aggregator.clippedCount == 1)
        let participant = aggregator.participants.last!
        #expect(participant.deltaNorm == 100)  // as sent; what it weighs is clipped
        // Six clients of weight 10: five of norm 1 and one clipped to 3 × median 1 = 3.
        let result = try aggregator.aggregate()
        #expect(abs(result.delta[0] - (5 + 3) / 6) < 1e-5)
    }

    @Test func fedAvgWithTwentyPercentScalingLiarsStaysNearTheHonestMean() throws {
        var generator = SeededGenerator(seed: 16)
        let clients = (0..<10).map { Self.honest($0, generator: &generator) }
        var historyAfterRoundOne: BoundsHistory?
        var results: [(bounded: [Float], unbounded: [Float], honest: [Float])] = []
        for round in 1...2 {
            var bounded = try StreamingAggregator(policy: Self.policy(round: UInt64(round)), rule: .fedAvg, bounds: .default, history: historyAfterRoundOne)
            var unbounded = try StreamingAggregator(policy: Self.policy(round: UInt64(round)), rule: .fedAvg)
            var honestOnly = try StreamingAggregator(policy: Self.policy(round: UInt64(round)), rule: .fedAvg)
            for (i, client) in clients.enumerated() {
                let liar = i % 5 == 4  // clients 4 and 9
                let sent = Self.update("c\(i)", liar ? client.delta.map { $0 * 100 } : client.delta, round: UInt64(round))
                try bounded.fold(sent)
                try unbounded.fold(sent)
                if !liar { try honestOnly.fold(sent) }
            }
            historyAfterRoundOne = bounded.closingHistory
            results.append((try bounded.aggregate().delta, try unbounded.aggregate().delta, try honestOnly.aggregate().delta))
        }
        // Round 2 starts with the first round's norms: both liars are clipped.
        let (bounded, unbounded, honest) = results[1]
        let boundedError = Self.norm(zip(bounded, honest).map { $0 - $1 }) / Self.norm(honest)
        let unboundedError = Self.norm(zip(unbounded, honest).map { $0 - $1 }) / Self.norm(honest)
        #expect(boundedError < 0.3)  // two of ten at most 1.5 × a typical norm: ≈ 0.1 off
        #expect(unboundedError > 10)  // without bounds the two liars decide the round
    }

    @Test func fisherIsCappedPerParameterRelativeToTheReference() throws {
        // F̄ = [1, 0, …]: mean 1/8, so the floor is 1/8 and caps are 10 × [1, 1/8, …].
        var reference = [Float](repeating: 0, count: 8)
        reference[0] = 1
        let bounds = UpdateBounds(fisherMultiple: 10, fisherFloor: 1, fisherNormMultiple: nil)
        var aggregator = try StreamingAggregator(policy: Self.policy(), rule: .fisherWeighted(), bounds: bounds,
                                                 history: BoundsHistory(capacity: 30, referenceFisher: reference))
        let fisher: [Float] = [1e6, 1e6, 0.5, 0, 0, 0, 0, 0]
        try aggregator.fold(Self.update("liar", [Float](repeating: 1, count: 8), fisher: fisher))
        #expect(aggregator.clippedCount == 1)
        let mean = try aggregator.aggregate().meanFisher!
        #expect(Fixtures.close(mean, [10, 1.25, 0.5, 0, 0, 0, 0, 0]))
    }

    @Test func fisherIsClippedInL2ToAMultipleOfTheMedianNorm() throws {
        var aggregator = try StreamingAggregator(policy: Self.policy(), rule: .fisherWeighted(), bounds: UpdateBounds(fisherMultiple: nil, fisherNormMultiple: 3, minimumHistory: 3))
        let fisher: [Float] = [1, 0, 0, 0, 0, 0, 0, 0]
        for i in 0..<3 { try aggregator.fold(Self.update("h\(i)", [0, 0, 0, 0, 0, 0, 0, 0], fisher: fisher)) }
        try aggregator.fold(Self.update("liar", [1, 0, 0, 0, 0, 0, 0, 0], fisher: fisher.map { $0 * 1e6 }))
        // The liar's Fisher is clipped to 3 × median 1 = 3, so Δ̄₀ = 3·1 / (3 + 3·1) = 0.5 (not ≈ 1).
        let result = try aggregator.aggregate()
        #expect(abs(result.delta[0] - 0.5) < 1e-3)
    }

    @Test func fisherWeightedWithTwentyPercentInflatingLiarsStaysNearTheHonestRule() throws {
        var generator = SeededGenerator(seed: 7)
        let clients = (0..<10).map { Self.honest($0, generator: &generator) }
        var history: BoundsHistory?
        var last: (bounded: [Float], unbounded: [Float], honest: [Float])?
        for round in 1...2 {
            let policy = try Self.policy(round: UInt64(round))
            var bounded = try StreamingAggregator(policy: policy, rule: .fisherWeighted(), bounds: .default, history: history)
            var unbounded = try StreamingAggregator(policy: policy, rule: .fisherWeighted())
            var honestOnly = try StreamingAggregator(policy: policy, rule: .fisherWeighted())
            for (i, client) in clients.enumerated() {
                let liar = i % 5 == 4
                // A liar trains honestly but claims its Fisher on parameter 0 only, a million times over, and the opposite delta there.
                var delta = client.delta
                var fisher = client.fisher
                if liar {
                    delta[0] = -50
                    fisher[0] *= 1e6
                }
                let sent = Self.update("c\(i)", delta, fisher: fisher, round: UInt64(round))
                try bounded.fold(sent)
                try unbounded.fold(sent)
                if !liar { try honestOnly.fold(sent) }
            }
            history = bounded.closingHistory
            last = (try bounded.aggregate().delta, try unbounded.aggregate().delta, try honestOnly.aggregate().delta)
        }
        let (bounded, unbounded, honest) = last!
        #expect(unbounded[0] < -49)  // unbounded: the liars decide parameter 0
        // Bounded: Δ̄₀ is a weighted mean of clipped deltas, so |Δ̄₀| ≤ 1.5 (the default multiple)
        // × the median norm, which lies among the honest norms while fewer than half lie, however
        // much Fisher the liars claim; their Fisher is clipped too, so the honest clients still count.
        let largestHonestNorm = clients.map { Self.norm($0.delta) }.max()!
        #expect(bounded[0] >= -1.5 * largestHonestNorm)
        #expect(abs(bounded[0] - honest[0]) < abs(unbounded[0] - honest[0]) / 5)
    }

    @Test func theNextRoundStartsFromThisRoundsNormsAndMeanFisher() throws {
        var aggregator = try StreamingAggregator(policy: Self.policy(), rule: .fisherWeighted(), bounds: .default)
        try aggregator.fold(Self.update("a", [1, 0, 0, 0, 0, 0, 0, 0], fisher: [2, 0, 0, 0, 0, 0, 0, 0], n: 1))
        try aggregator.fold(Self.update("b", [0, 2, 0, 0, 0, 0, 0, 0], fisher: [0, 4, 0, 0, 0, 0, 0, 0], n: 3))
        let history = aggregator.closingHistory
        #expect(history.deltaNorms.values == [1, 2])
        #expect(history.fisherNorms.values == [2, 4])
        #expect(Fixtures.close(history.referenceFisher, [0.5, 3, 0, 0, 0, 0, 0, 0]))
    }

    @Test func boundsOffLeaveUpdatesAsSent() throws {
        var aggregator = try StreamingAggregator(policy: Self.policy(), rule: .fedAvg, bounds: .off)
        for i in 0..<6 { try aggregator.fold(Self.update("h\(i)", [1, 0, 0, 0, 0, 0, 0, 0])) }
        try aggregator.fold(Self.update("liar", [100, 0, 0, 0, 0, 0, 0, 0]))
        #expect(aggregator.clippedCount == 0)
        #expect(aggregator.history.deltaNorms.count == 0)
        #expect(abs(try aggregator.aggregate().delta[0] - 106.0 / 7) < 1e-4)
    }

    @Test func aCountOverTheStatedOneIsRefusedNamingBoth() throws {
        let policy = try Self.policy()
        try policy.validate(client: "a", examples: 120, metrics: [:], stated: 120)
        #expect {
            try policy.validate(client: "a", examples: 120_000, metrics: [:], stated: 120)
        } throws: { error in
            let error = error as! AggregationError
            return error.code == .tooManyExamples && error.reason.contains("num_examples is 120000;") && error.reason.contains("at most 120")
                && error.clientID == "a"
        }
    }

    @Test func invalidBoundsNameTheSettingAndValue() {
        #expect {
            try UpdateBounds(deltaNormMultiple: 0.5).validate()
        } throws: { error in
            (error as! AggregationError).reason.contains("bounds.delta_norm_multiple is 0.5")
        }
        #expect {
            try UpdateBounds(history: 3, minimumHistory: 5).validate()
        } throws: { error in
            (error as! AggregationError).reason.contains("bounds.history is 3 and bounds.minimum_history 5")
        }
        #expect(throws: AggregationError.self) { try StreamingAggregator(policy: Self.policy(), rule: .fedAvg, bounds: UpdateBounds(fisherFloor: 0)) }
    }
}
