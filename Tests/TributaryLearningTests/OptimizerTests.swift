import Testing
import TributaryLearning

@Suite struct OptimizerTests {
    func step(_ optimizer: some Optimizer, gradients: [[Float]], start: [Float]) -> [Float] {
        var theta = start
        var state = optimizer.newState(parameterCount: start.count)
        for g in gradients {
            theta.withUnsafeMutableBufferPointer { t in
                g.withUnsafeBufferPointer { optimizer.apply(gradient: $0, to: t, state: &state, ranges: [0..<start.count]) }
            }
        }
        return theta
    }

    @Test func sgdMomentumAndNesterovFollowTheirRecurrences() {
        // v1 = g1 = 1; θ1 = 1 − 0.1·1 = 0.9.  v2 = 0.9·1 + 2 = 2.9; θ2 = 0.9 − 0.29 = 0.61.
        let momentum = step(SGD(learningRate: 0.1, momentum: 0.9), gradients: [[1], [2]], start: [1])
        #expect(abs(momentum[0] - 0.61) < 1e-6)
        // Nesterov: step uses g + μv: θ1 = 1 − 0.1(1 + 0.9) = 0.81; v2 = 2.9, θ2 = 0.81 − 0.1(2 + 2.61) = 0.349.
        let nesterov = step(SGD(learningRate: 0.1, momentum: 0.9, nesterov: true), gradients: [[1], [2]], start: [1])
        #expect(abs(nesterov[0] - 0.349) < 1e-6)
        // Weight decay adds wd·θ: θ1 = 1 − 0.1(0 + 0.5·1) = 0.95.
        let decayed = step(SGD(learningRate: 0.1, weightDecay: 0.5), gradients: [[0]], start: [1])
        #expect(abs(decayed[0] - 0.95) < 1e-6)
    }

    @Test func adamFirstStepMovesByTheLearningRate() {
        let theta = step(Adam(learningRate: 0.01), gradients: [[5, -0.001]], start: [0, 0])
        #expect(abs(theta[0] + 0.01) < 1e-5)
        #expect(abs(theta[1] - 0.01) < 1e-4)
    }

    @Test func frozenRangesAreNotUpdated() {
        let optimizer = SGD(learningRate: 1, weightDecay: 0.1)
        var theta: [Float] = [1, 1, 1]
        var state = optimizer.newState(parameterCount: 3)
        theta.withUnsafeMutableBufferPointer { t in
            [Float](repeating: 1, count: 3).withUnsafeBufferPointer { optimizer.apply(gradient: $0, to: t, state: &state, ranges: [1..<2]) }
        }
        #expect(theta[0] == 1 && theta[2] == 1 && theta[1] != 1)
    }

    @Test func badHyperParametersNameTheValue() {
        #expect(throws: LearningError.self) { try OptimizerConfiguration.sgd(SGD(learningRate: -1)).makeOptimizer() }
        do {
            _ = try OptimizerConfiguration.adam(Adam(beta1: 1.5)).makeOptimizer()
            Issue.record("beta1 1.5 accepted")
        } catch let error as LearningError { #expect(error.reason.contains("1.5")) } catch { Issue.record("\(error)") }
    }
}
