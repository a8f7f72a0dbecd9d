import Testing
import TributaryNumerics

@Suite struct ParameterVectorTests {
    let layout = ParameterLayout([("dense1.weight", [2, 3]), ("dense1.bias", [2])])

    @Test func layoutPacksNamedParametersContiguously() {
        #expect(layout.totalCount == 8)
        #expect(layout["dense1.bias"]?.range == 6..<8)
        #expect(layout.names == ["dense1.weight", "dense1.bias"])
    }

    @Test func namedViewsAndDeltas() {
        var theta = ParameterVector(layout: layout, storage: (0..<8).map(Float.init))
        #expect(theta.tensor(named: "dense1.bias") == Tensor([6, 7]))
        let before = theta
        theta.setTensor(Tensor([10, 20]), named: "dense1.bias")
        let delta = theta.subtracting(before)
        #expect(delta.storage == [0, 0, 0, 0, 0, 0, 4, 13])
        var restored = before
        restored.add(delta)
        #expect(restored == theta)
    }
}

@Suite struct SeededGeneratorTests {
    @Test func sameSeedSameSequenceAndStateRestores() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42)
        let first = (0..<5).map { _ in a.next() }
        #expect(first == (0..<5).map { _ in b.next() })
        let saved = a.state
        let next = (0..<5).map { _ in a.next() }
        var restored = SeededGenerator(state: saved)!
        #expect(next == (0..<5).map { _ in restored.next() })
        #expect(SeededGenerator(state: [0, 0, 0, 0]) == nil)
        #expect(SeededGenerator(state: [1, 2]) == nil)
    }

    @Test func uniformAndGaussianHaveTheRightMoments() {
        var generator = SeededGenerator(seed: 9)
        let n = 20_000
        let uniform = (0..<n).map { _ in Double(generator.nextUnitFloat()) }
        #expect(uniform.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect(abs(uniform.reduce(0, +) / Double(n) - 0.5) < 0.01)
        let gaussian = (0..<n).map { _ in Double(generator.nextGaussian()) }
        let mean = gaussian.reduce(0, +) / Double(n)
        let variance = gaussian.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)
        #expect(abs(mean) < 0.03)
        #expect(abs(variance - 1) < 0.05)
    }
}
