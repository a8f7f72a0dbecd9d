import Testing
import TributaryNumerics
import TributaryPrivacy

@Suite struct GaussianNoiseTests {
    /// The sample standard deviation of what `noise` adds to a zero vector of `count` elements.
    func measuredDeviation(_ noise: GaussianNoise, count: Int, seed: UInt64) -> (mean: Double, deviation: Double) {
        var values = [Float](repeating: 0, count: count)
        var generator = SeededGenerator(seed: seed)
        noise.add(to: &values, generator: &generator)
        let mean = values.reduce(0.0) { $0 + Double($1) } / Double(count)
        let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(count - 1)
        return (mean, variance.squareRoot())
    }

    @Test func trustedServerAddsZTimesCToTheSum() throws {
        let noise = try GaussianNoise(noiseMultiplier: 1.5, clipBound: 2, placement: .trustedServer)
        #expect(noise.standardDeviation == 3)
        let (mean, deviation) = measuredDeviation(noise, count: 200_000, seed: 1)
        #expect(abs(mean) < 0.03)
        #expect(abs(deviation - 3) < 0.03)
    }

    @Test func distributedNoiseOfNClientsSumsToTheSameDeviation() throws {
        // 16 clients each add σC/4; the sum of their 16 vectors carries σC.
        let clients = 16
        let noise = try GaussianNoise(noiseMultiplier: 1.5, clipBound: 2, placement: .distributed(clients: clients))
        #expect(noise.standardDeviation == 0.75)
        var sum = [Double](repeating: 0, count: 50_000)
        for client in 0..<clients {
            var share = [Float](repeating: 0, count: sum.count)
            var generator = SeededGenerator(seed: UInt64(100 + client))
            noise.add(to: &share, generator: &generator)
            for index in sum.indices { sum[index] += Double(share[index]) }
        }
        let variance = sum.reduce(0.0) { $0 + $1 * $1 } / Double(sum.count)
        #expect(abs(variance.squareRoot() - noise.sumStandardDeviation) < 0.05)
    }

    @Test func theSameSeedGivesTheSameNoise() throws {
        let noise = try GaussianNoise(noiseMultiplier: 1, clipBound: 1, placement: .trustedServer)
        var a: [Float] = [1, 2, 3], b: [Float] = [1, 2, 3]
        var g1 = SeededGenerator(seed: 9), g2 = SeededGenerator(seed: 9)
        noise.add(to: &a, generator: &g1)
        noise.add(to: &b, generator: &g2)
        #expect(a == b)
        #expect(a != [1, 2, 3])
    }

    @Test func badSettingsAreRefused() {
        #expect(throws: PrivacyError(.invalidConfiguration, "")) { try GaussianNoise(noiseMultiplier: -1, clipBound: 1, placement: .trustedServer) }
        #expect(throws: PrivacyError(.invalidConfiguration, "")) { try GaussianNoise(noiseMultiplier: 1, clipBound: 1, placement: .distributed(clients: 0)) }
    }
}
