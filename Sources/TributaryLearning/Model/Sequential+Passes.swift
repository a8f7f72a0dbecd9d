import TributaryNumerics

/// What a backward pass accumulates into the gradient buffer.
public enum BackwardMode: Sendable {
    /// ∂loss/∂θ of the batch loss, written (overwriting) into the buffer.
    case gradient
    /// Σₙ (∂ℓₙ/∂θ)², the sum of squared per-example gradients, added to the buffer.
    /// For a dense layer the per-example weight gradient is the outer product δₙ aₙᵀ, so its
    /// square is (δₙ²)(aₙ²)ᵀ and the sum over the batch is one matrix product (δ²)ᵀ(a²).
    /// `Workspace.deltas` must then hold per-example (unscaled) output gradients.
    case squaredPerExample
}

extension Sequential {
    /// Runs the batch in `workspace.input` (`workspace.rows` rows) through every layer.
    public func forward(_ workspace: Workspace) {
        let rows = workspace.rows
        precondition(rows <= workspace.capacity && workspace.widths.count == layerOffsets.count + 1, "workspace does not fit the model")
        guard rows > 0 else { return }
        parameters.withUnsafeBufferPointer { theta in
            let base = theta.baseAddress!
            for (index, offsets) in layerOffsets.enumerated() {
                let fanIn = workspace.widths[index], units = workspace.widths[index + 1]
                let input = workspace.activations[index], output = workspace.activations[index + 1]
                for row in 0..<rows { (output + row * units).update(from: base + offsets.bias, count: units) }
                BLAS.gemm(
                    transposeA: false, transposeB: true, m: rows, n: units, k: fanIn,
                    alpha: 1, a: input, lda: fanIn, b: base + offsets.weight, ldb: fanIn,
                    beta: 1, c: output, ldc: units)
                spec.layers[index].activation.apply(UnsafeMutableBufferPointer(start: output, count: rows * units))
            }
        }
    }

    /// Back-propagates ∂loss/∂output, which the loss left in the workspace, into `gradient`
    /// (a buffer laid out like `parameters`).
    public func backward(_ workspace: Workspace, into gradient: UnsafeMutableBufferPointer<Float>, mode: BackwardMode = .gradient) {
        precondition(!workspace.forwardOnly, "backward on a forward-only (evaluation) workspace")
        precondition(gradient.count == parameters.count, "backward: gradient has \(gradient.count) slots, expected \(parameters.count)")
        let rows = workspace.rows
        guard rows > 0 else { return }
        let offsets = layerOffsets
        let grad = gradient.baseAddress!
        parameters.withUnsafeBufferPointer { theta in
            let base = theta.baseAddress!
            for layer in stride(from: offsets.count, to: 0, by: -1) {
                let fanIn = workspace.widths[layer - 1], units = workspace.widths[layer]
                let delta = workspace.deltas[layer], input = workspace.activations[layer - 1]
                let weightOffset = offsets[layer - 1].weight, biasOffset = offsets[layer - 1].bias
                let weights = grad + weightOffset, bias = grad + biasOffset
                switch mode {
                case .gradient:
                    Self.accumulate(delta: delta, input: input, rows: rows, units: units, fanIn: fanIn, ones: workspace.ones,
                                    overwrite: true, weights: weights, bias: bias)
                case .squaredPerExample:
                    let squaredDelta = workspace.squaredDelta, squaredInput = workspace.squaredInput
                    for i in 0..<(rows * units) { squaredDelta[i] = delta[i] * delta[i] }
                    for i in 0..<(rows * fanIn) { squaredInput[i] = input[i] * input[i] }
                    Self.accumulate(delta: squaredDelta, input: squaredInput, rows: rows, units: units, fanIn: fanIn, ones: workspace.ones,
                                    overwrite: false, weights: weights, bias: bias)
                }
                guard layer > 1 else { continue }
                let previous = workspace.deltas[layer - 1]
                BLAS.gemm(
                    transposeA: false, transposeB: false, m: rows, n: fanIn, k: units,
                    alpha: 1, a: delta, lda: units, b: base + weightOffset, ldb: fanIn,
                    beta: 0, c: previous, ldc: fanIn)
                spec.layers[layer - 2].activation.backward(
                    output: UnsafeBufferPointer(start: input, count: rows * fanIn),
                    gradient: UnsafeMutableBufferPointer(start: previous, count: rows * fanIn))
            }
        }
    }

    /// A dense layer's parameter gradients from its output gradients `delta` (rows × units) and
    /// its input (rows × fanIn): weights = deltaᵀ·input, bias = Σ rows of delta; written over the
    /// buffers (`overwrite`) or added to them.
    private static func accumulate(
        delta: UnsafeMutablePointer<Float>, input: UnsafeMutablePointer<Float>, rows: Int, units: Int, fanIn: Int,
        ones: UnsafeMutablePointer<Float>, overwrite: Bool, weights: UnsafeMutablePointer<Float>, bias: UnsafeMutablePointer<Float>
    ) {
        let beta: Float = overwrite ? 0 : 1
        BLAS.gemm(
            transposeA: true, transposeB: false, m: units, n: fanIn, k: rows,
            alpha: 1, a: delta, lda: units, b: input, ldb: fanIn,
            beta: beta, c: weights, ldc: fanIn)
        BLAS.gemv(transpose: true, m: rows, n: units, alpha: 1, a: delta, lda: units, x: ones, beta: beta, y: bias)
    }
}
