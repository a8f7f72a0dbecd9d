import Testing
import TributaryLearning

@Suite struct ReplayTests {
    func stream(_ count: Int, classes: Int32 = 2) -> Dataset {
        var data = Dataset(featureCount: 1)
        for i in 0..<count { data.append(features: [Float(i)], label: Int32(i) % classes) }
        return data
    }

    @Test func reservoirKeepsAUniformSampleOfTheStream() {
        var firstHalf = 0, total = 0
        for trial in 0..<200 {
            var buffer = ReplayBuffer(configuration: ReplayConfiguration(capacity: 20), featureCount: 1)
            var local = SeededGenerator(seed: UInt64(trial))
            buffer.insert(stream(1000), generator: &local)
            #expect(buffer.count == 20)
            #expect(buffer.seen == 1000)
            firstHalf += buffer.examples.features.filter { $0 < 500 }.count
            total += buffer.count
        }
        // Each half of the stream should hold about half of the reservoir.
        let fraction = Double(firstHalf) / Double(total)
        #expect(abs(fraction - 0.5) < 0.03, "first half holds \(fraction) of the reservoir")
    }

    @Test func classBalancedReservoirEqualisesAnImbalancedStream() {
        var data = Dataset(featureCount: 1)
        for i in 0..<900 { data.append(features: [Float(i)], label: 0) }
        for i in 0..<100 { data.append(features: [Float(i)], label: 1) }
        var generator = SeededGenerator(seed: 2)
        var balanced = ReplayBuffer(configuration: ReplayConfiguration(capacity: 50, policy: .classBalanced), featureCount: 1)
        balanced.insert(data, generator: &generator)
        #expect(balanced.storedPerClass[1] == 25)
        #expect(balanced.storedPerClass[0] == 25)
        var plain = ReplayBuffer(configuration: ReplayConfiguration(capacity: 50), featureCount: 1)
        plain.insert(data, generator: &generator)
        #expect((plain.storedPerClass[1] ?? 0) < 15)
    }

    @Test func slidingWindowKeepsTheMostRecentExamples() {
        var generator = SeededGenerator(seed: 3)
        var buffer = ReplayBuffer(configuration: ReplayConfiguration(capacity: 10, policy: .slidingWindow), featureCount: 1)
        buffer.insert(stream(95), generator: &generator)
        #expect(Set(buffer.examples.features) == Set((85..<95).map(Float.init)))
    }

    @Test func exponentialDecayReplaysRecentExamplesMoreOften() {
        var generator = SeededGenerator(seed: 4)
        var buffer = ReplayBuffer(configuration: ReplayConfiguration(capacity: 100, policy: .exponentialDecay(halfLife: 20)), featureCount: 1)
        buffer.insert(stream(100), generator: &generator)
        let picks = buffer.sample(5000, generator: &generator)
        let recent = picks.filter { buffer.examples.features[$0] >= 80 }.count
        let old = picks.filter { buffer.examples.features[$0] < 20 }.count
        #expect(recent > 10 * old)
    }

    @Test func uniformSamplingIsWithoutReplacementAndSeeded() {
        var a = SeededGenerator(seed: 5), b = SeededGenerator(seed: 5)
        var buffer = ReplayBuffer(configuration: ReplayConfiguration(capacity: 30), featureCount: 1)
        buffer.insert(stream(30), generator: &a)
        _ = buffer.sample(0, generator: &b)
        var c = SeededGenerator(seed: 9), d = SeededGenerator(seed: 9)
        let first = buffer.sample(10, generator: &c)
        #expect(Set(first).count == 10)
        #expect(first == buffer.sample(10, generator: &d))
    }
}
