import TributaryNumerics

/// How the diagonal Fisher information is estimated from a task's data.
public enum FisherEstimator: Sendable, Codable, Equatable, Hashable {
    /// The empirical Fisher: the mean over examples of the squared per-example gradient of the
    /// loss at the true label, Fⱼ = 1/N Σₙ (∂ℓₙ/∂θⱼ)².
    case empirical
    /// A cheaper estimate: the mean over minibatches of the squared minibatch-mean gradient.
    /// It is smaller than the empirical Fisher by about the batch size, so λ must be larger.
    case perBatch(batchSize: Int)

    /// Estimates the diagonal Fisher of `model` on `data`.
    public func estimate(model: Sequential, data: Dataset, classMask: [Bool]? = nil) -> [Float] {
        var fisher = [Float](repeating: 0, count: model.parameters.count)
        guard !data.isEmpty else { return fisher }
        switch self {
        case .empirical:
            let chunk = min(128, data.count)
            let workspace = Workspace(spec: model.spec, capacity: chunk)
            fisher.withUnsafeMutableBufferPointer { f in
                for start in stride(from: 0, to: data.count, by: chunk) {
                    workspace.load(data, indices: start..<min(start + chunk, data.count))
                    model.forward(workspace)
                    _ = model.spec.loss.evaluate(workspace, classMask: classMask, gradientScale: 1)
                    model.backward(workspace, into: f, mode: .squaredPerExample)
                }
                BLAS.scal(1 / Float(data.count), f)
            }
        case .perBatch(let batchSize):
            let workspace = Workspace(spec: model.spec, capacity: batchSize)
            var gradient = [Float](repeating: 0, count: fisher.count)
            var batches = 0
            fisher.withUnsafeMutableBufferPointer { f in
                gradient.withUnsafeMutableBufferPointer { g in
                    for start in stride(from: 0, to: data.count, by: batchSize) {
                        workspace.load(data, indices: start..<min(start + batchSize, data.count))
                        model.forward(workspace)
                        _ = model.spec.loss.evaluate(workspace, classMask: classMask, gradientScale: 1 / Float(workspace.rows))
                        model.backward(workspace, into: g, mode: .gradient)
                        for j in 0..<f.count { f[j] += g[j] * g[j] }
                        batches += 1
                    }
                }
                BLAS.scal(1 / Float(batches), f)
            }
        }
        return fisher
    }
}
