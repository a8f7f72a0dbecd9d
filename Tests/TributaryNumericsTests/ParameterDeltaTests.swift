import Testing
import TributaryNumerics

@Suite struct ParameterDeltaTests {
    /// The one Δ is rounded exactly as `candidate[i] - base[i]`: the job, the edge's Update and the
    /// coordinator's delta release give the bits the element-wise subtraction they replace gave.
    @Test func deltaIsTheElementWiseDifferenceBitForBit() {
        var generator = SeededGenerator(seed: 11)
        let base = (0..<1_003).map { _ in Float.random(in: -3...3, using: &generator) }
        let candidate = base.map { $0 + Float.random(in: -0.01...0.01, using: &generator) * 7 }
        let delta = ParameterDelta.between(candidate: candidate, base: base)
        #expect(delta.map(\.bitPattern) == zip(candidate, base).map { ($0 - $1).bitPattern })
        #expect(ParameterDelta.between(candidate: [], base: []) == [])
    }

    /// A delta release is the version itself: base + Δ, added in Float32 as a receiver does, has
    /// the candidate's bits for every element, or there is no exact delta.
    @Test func anExactDeltaReachesTheCandidateBitForBitOrIsRefused() throws {
        var generator = SeededGenerator(seed: 12)
        let base = (0..<20_000).map { _ in Float.random(in: -3...3, using: &generator) }
        // A round's small steps: each element moves by less than its own size.
        let step = base.map { $0 + $0 * Float.random(in: -0.4...0.4, using: &generator) }
        let exact = try #require(ParameterDelta.exact(candidate: step, base: base))
        let reached = zip(zip(base, exact), step).filter { ($0.0 + $0.1).bitPattern == $1.bitPattern }.count
        #expect(reached == step.count)
        // Weights that move far past zero: the plain difference misses some, so no exact delta.
        let far = base.map { _ in Float.random(in: -0.01...0.01, using: &generator) }
        let plain = ParameterDelta.between(candidate: far, base: base)
        let missed = zip(zip(base, plain), far).filter { ($0.0 + $0.1).bitPattern != $1.bitPattern }.count
        #expect(missed > 0)
        #expect(ParameterDelta.exact(candidate: far, base: base) == nil)
    }
}
