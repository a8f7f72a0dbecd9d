import Testing
import TributaryAggregation
import Foundation

@Suite struct ServerOptimizerTests {
    let delta: [Float] = [0.5, -2]

    func steps(_ optimizer: ServerOptimizer, _ deltas: [[Float]]) throws -> ([Float], ServerOptimizerState) {
        var theta: [Float] = [1, 1]
        var state = optimizer.newState(parameterCount: 2)
        for d in deltas { try optimizer.apply(delta: d, to: &theta, state: &state) }
        return (theta, state)
    }

    @Test func fedAvgM() throws {
        // m1 = Δ = [0.5, -2]; θ = 1 + 0.1·m1. m2 = 0.9·m1 + Δ = [0.95, -3.8]; θ += 0.1·m2.
        let (theta, state) = try steps(.fedAvgM(learningRate: 0.1, momentum: 0.9), [delta, delta])
        #expect(Fixtures.close(theta, [1 + 0.05 + 0.095, 1 - 0.2 - 0.38]))
        #expect(Fixtures.close(state.momentum, [0.95, -3.8]))
        #expect(state.step == 2)
    }

    @Test func fedAdamByHand() throws {
        // v₋₁ = τ² = 1e-6 (paper: v₋₁ ≥ τ²), β1 = 0.9, β2 = 0.99, η = 0.1, τ = 1e-3.
        let (theta, state) = try steps(.fedAdam(learningRate: 0.1, beta1: 0.9, beta2: 0.99, tau: 1e-3), [delta])
        let m: [Double] = [0.05, -0.2]
        let v: [Double] = [0.99e-6 + 0.01 * 0.25, 0.99e-6 + 0.01 * 4]
        let expected = (0..<2).map { Float(1 + 0.1 * m[$0] / (v[$0].squareRoot() + 1e-3)) }
        #expect(Fixtures.close(theta, expected))
        #expect(Fixtures.close(state.momentum, m.map(Float.init)))
        #expect(Fixtures.close(state.secondMoment, v.map(Float.init)))
    }

    @Test func fedYogiByHand() throws {
        // Step 1: v₀ = τ² < Δ², sign = −1, v = τ² + 0.01·Δ². Step 2 with Δ' = [0, −2]:
        // v₁[0] = τ² + 0.0025 > 0 ⇒ v₂[0] = v₁[0] − 0 ; v₁[1] = τ² + 0.04 < 4 ⇒ v₂[1] = v₁[1] + 0.04.
        let optimizer = ServerOptimizer.fedYogi(learningRate: 0.1, beta1: 0.9, beta2: 0.99, tau: 1e-3)
        let second: [Float] = [0, -2]
        let (theta, state) = try steps(optimizer, [delta, second])
        let tau2 = 1e-6
        let v1: [Double] = [tau2 + 0.0025, tau2 + 0.04]
        let m1: [Double] = [0.05, -0.2]
        let v2: [Double] = [v1[0], v1[1] + 0.04]
        let m2: [Double] = [0.9 * m1[0], 0.9 * m1[1] - 0.2]
        let expected = (0..<2).map { j -> Float in
            Float(1 + 0.1 * m1[j] / (v1[j].squareRoot() + 1e-3) + 0.1 * m2[j] / (v2[j].squareRoot() + 1e-3))
        }
        #expect(Fixtures.close(state.secondMoment, v2.map(Float.init)))
        #expect(Fixtures.close(theta, expected, tolerance: 1e-4))
    }

    @Test func yogiGrowsSecondMomentMoreSlowlyThanAdamShrinksIt() throws {
        // A large delta then small ones: Adam's v decays multiplicatively, Yogi's additively.
        let deltas: [[Float]] = [[10, 10]] + Array(repeating: [0.1, 0.1], count: 5)
        let (_, adam) = try steps(.fedAdam(learningRate: 0.1), deltas)
        let (_, yogi) = try steps(.fedYogi(learningRate: 0.1), deltas)
        #expect(yogi.secondMoment[0] > adam.secondMoment[0])
    }

    @Test func stateRoundTripsThroughJSONAndFlatFloats() throws {
        let (_, state) = try steps(.fedAdam(learningRate: 0.1), [delta, delta])
        let json = try JSONEncoder().encode(state)
        #expect(try JSONDecoder().decode(ServerOptimizerState.self, from: json) == state)
        #expect(try ServerOptimizerState(step: state.step, floats: state.floats, parameterCount: 2) == state)
        let optimizer = ServerOptimizer.fedYogi(learningRate: 0.3, beta1: 0.8, beta2: 0.95, tau: 0.01)
        #expect(try JSONDecoder().decode(ServerOptimizer.self, from: JSONEncoder().encode(optimizer)) == optimizer)
    }

    @Test func resumingFromSavedStateEqualsRunningThrough() throws {
        let optimizer = ServerOptimizer.fedYogi(learningRate: 0.1)
        let (straight, _) = try steps(optimizer, [delta, [1, 1], [-0.3, 0.2]])
        var (theta, state) = try steps(optimizer, [delta])
        state = try JSONDecoder().decode(ServerOptimizerState.self, from: JSONEncoder().encode(state))
        for d: [Float] in [[1, 1], [-0.3, 0.2]] { try optimizer.apply(delta: d, to: &theta, state: &state) }
        #expect(theta == straight)
    }

    @Test func mismatchedStateChangesNothing() throws {
        var theta: [Float] = [1, 1]
        var state = ServerOptimizerState(momentum: [0, 0, 0])
        #expect { try ServerOptimizer.fedAvgM().apply(delta: delta, to: &theta, state: &state) } throws: {
            ($0 as? AggregationError)?.code == .stateMismatch && "\($0)".contains("m of 3")
        }
        #expect(theta == [1, 1] && state.step == 0)
    }

    @Test(arguments: [
        (ServerOptimizer.fedAvg(learningRate: 0), "learningRate is 0.0"),
        (.fedAvgM(momentum: 1), "momentum is 1.0"),
        (.fedAdam(beta2: 1.5), "beta2 is 1.5"),
        (.fedYogi(tau: 0), "tau is 0.0"),
    ])
    func invalidSettingsAreNamed(optimizer: ServerOptimizer, message: String) {
        #expect { try optimizer.validate() } throws: { "\($0)".contains(message) }
    }
}
