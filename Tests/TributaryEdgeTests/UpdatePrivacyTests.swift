import Testing
import TributaryEdge
import TributaryLearning
import TributaryModelWire
import TributaryNumerics
import TributaryWire

/// The edge's side of a round's privacy plan: what leaves is clipped, and in distributed mode
/// noised with the plan's σ from a seed of its own.
@Suite struct UpdatePrivacyTests {
    static func norm(_ values: [Float]) -> Double { values.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot() }

    static func vector(_ count: Int, scale: Float, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in scale * generator.nextGaussian() }
    }

    @Test func trustedServerPlansClipTheDeltaAndTheFisherAndAddNothing() throws {
        let plan = PrivacyPlanMessage(mode: .trustedServer, deltaClip: 0.5, fisherCap: 0.1, fisherClip: 1)
        let delta = Self.vector(1000, scale: 1, seed: 1)
        let fisher = Self.vector(1000, scale: 1, seed: 2).map { $0 * $0 }
        let (clipped, clippedFisher) = try UpdatePrivacy(plan: plan).apply(delta: delta, fisher: fisher, seed: 3, roundID: 1)
        #expect(abs(Self.norm(clipped) - 0.5) < 1e-4, "‖Δ‖ \(Self.norm(clipped))")
        // Clipping scales, it does not turn: the direction is the delta's.
        #expect(zip(clipped, delta).allSatisfy { abs($0 - $1 * Float(0.5 / Self.norm(delta))) < 1e-5 })
        let f = try #require(clippedFisher)
        #expect(f.allSatisfy { $0 >= 0 && $0 <= 0.1 } && Self.norm(f) <= 1 + 1e-5)
        // A delta inside the ball leaves as it came.
        let small = delta.map { $0 * 1e-3 }
        #expect(try UpdatePrivacy(plan: plan).apply(delta: small, fisher: nil, seed: 3, roundID: 1).delta == small)
    }

    @Test func distributedPlansAddSeededNoiseOfThePlannedDeviation() throws {
        let plan = PrivacyPlanMessage(mode: .distributed, deltaClip: 1, fisherCap: 1, fisherClip: 1, deltaNoiseStandardDeviation: 0.2, noiseSeed: 42)
        let zero = [Float](repeating: 0, count: 20_000)
        let privacy = UpdatePrivacy(plan: plan)
        let a = try privacy.apply(delta: zero, fisher: nil, seed: 7, roundID: 3).delta
        let mean = a.reduce(0.0) { $0 + Double($1) } / Double(a.count)
        let deviation = (a.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(a.count)).squareRoot()
        #expect(abs(mean) < 0.01 && abs(deviation - 0.2) < 0.01, "mean \(mean), σ \(deviation)")
        // Reproducible for one edge and round; another edge or round draws other noise.
        #expect(try privacy.apply(delta: zero, fisher: nil, seed: 7, roundID: 3).delta == a)
        #expect(try privacy.apply(delta: zero, fisher: nil, seed: 8, roundID: 3).delta != a)
        #expect(try privacy.apply(delta: zero, fisher: nil, seed: 7, roundID: 4).delta != a)
    }

    @Test func nonFiniteValuesAreRefusedNamingTheIndex() throws {
        let plan = PrivacyPlanMessage(mode: .trustedServer, deltaClip: 1, fisherCap: 1, fisherClip: 1)
        #expect { try UpdatePrivacy(plan: plan).apply(delta: [0, .nan], fisher: nil, seed: 1, roundID: 1) } throws: { "\($0)".contains("delta[1] is nan") }
        #expect { try UpdatePrivacy(plan: plan).apply(delta: [0, 0], fisher: [1, -1], seed: 1, roundID: 1) } throws: { "\($0)".contains("Fisher[1] is -1") }
    }

    @Test func anEdgeAnswersAPrivacyPlanWithADeltaInsideTheClip() throws {
        let spec = try ModelSpec.mlp(input: 4, hidden: [6], outputs: 2, activation: .tanh)
        let helpers = EdgeTrainerTests()
        var offer = try helpers.offer(spec: spec, ewc: true)
        let layout = spec.parameterLayout
        let free = try EdgeTrainer(local: nil, data: helpers.data()).answer(offer).update
        let freeNorm = Self.norm(try LearningWire.flatten(free.delta, layout: layout, field: "delta"))
        offer.plan.privacy = PrivacyPlanMessage(mode: .trustedServer, deltaClip: Float(freeNorm / 4), fisherCap: 1e-3, fisherClip: 1e-2)
        let update = try EdgeTrainer(local: nil, data: helpers.data()).answer(offer).update
        let norm = Self.norm(try LearningWire.flatten(update.delta, layout: layout, field: "delta"))
        #expect(freeNorm > 0 && abs(norm - freeNorm / 4) <= 1e-4 * freeNorm, "clipped ‖Δ‖ \(norm), unclipped \(freeNorm)")
        let fisher = try LearningWire.flatten(try #require(update.fisher), layout: layout, field: "fisher")
        #expect(fisher.allSatisfy { $0 <= 1e-3 } && Self.norm(fisher) <= 1e-2 * (1 + 1e-5))
    }
}
