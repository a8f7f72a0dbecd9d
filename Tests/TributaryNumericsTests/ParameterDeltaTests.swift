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
}
