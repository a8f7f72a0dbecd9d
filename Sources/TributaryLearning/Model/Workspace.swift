/// Scratch buffers for one model's forward and backward passes over batches of up to
/// `capacity` rows, allocated once and reused for every step (no allocation per step).
///
/// Not `Sendable`: a workspace belongs to the one job or evaluation that made it.
public final class Workspace {
    /// Widths: `[input, units₁, …, units_L]`.
    public let widths: [Int]
    public let capacity: Int
    /// activations[0] is the input batch; activations[l] the output of layer l.
    let activations: [UnsafeMutablePointer<Float>]
    /// deltas[l] is ∂loss/∂z for layer l (index 0 unused), then ∂loss/∂a during propagation.
    let deltas: [UnsafeMutablePointer<Float>]
    /// Scratch for squared activations and squared deltas (Fisher).
    let squaredInput: UnsafeMutablePointer<Float>
    let squaredDelta: UnsafeMutablePointer<Float>
    /// A column of ones, for bias gradients as a matrix-vector product.
    let ones: UnsafeMutablePointer<Float>
    public let labels: UnsafeMutablePointer<Int32>
    /// What each row is trained towards with one mean-squared-error output: the data set's
    /// target, or the label's value.
    public let targets: UnsafeMutablePointer<Float>
    /// Rows of the current batch.
    public var rows: Int = 0

    /// Only `forward` and the loss run on it (evaluation): no hidden-layer deltas or squared
    /// buffers, about a third of the memory.
    public let forwardOnly: Bool

    /// - Parameter forwardOnly: for evaluation and prediction; `backward` refuses such a workspace.
    public init(spec: ModelSpec, capacity: Int, forwardOnly: Bool = false) {
        precondition(capacity > 0, "Workspace capacity must be positive, got \(capacity)")
        self.widths = [spec.inputSize] + spec.layers.map(\.units)
        self.capacity = capacity
        self.forwardOnly = forwardOnly
        let widest = widths.max()!
        let scratch = forwardOnly ? 0 : capacity
        activations = widths.map { Self.allocate(capacity * $0) }
        // The output layer's delta is also the loss's scratch (softmax), so it is always full size.
        let widths = self.widths
        deltas = widths.indices.map { Self.allocate(($0 == widths.count - 1 ? capacity : scratch) * widths[$0]) }
        squaredInput = Self.allocate(scratch * widest)
        squaredDelta = Self.allocate(scratch * widest)
        ones = Self.allocate(capacity)
        ones.update(repeating: 1, count: capacity)
        labels = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
        labels.initialize(repeating: 0, count: capacity)
        targets = Self.allocate(capacity)
    }

    deinit {
        for pointer in activations { pointer.deallocate() }
        for pointer in deltas { pointer.deallocate() }
        squaredInput.deallocate()
        squaredDelta.deallocate()
        ones.deallocate()
        labels.deallocate()
        targets.deallocate()
    }

    /// The input rows (rows × widths[0]), to fill before `forward`.
    public var input: UnsafeMutablePointer<Float> { activations[0] }

    /// The model's output for the current batch (rows × outputs).
    public var output: UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(start: activations[widths.count - 1], count: rows * widths.last!)
    }

    /// Copies rows of `dataset` (by index) into the input, label and target buffers.
    public func load(_ dataset: Dataset, indices: some Collection<Int>, startingAt firstRow: Int = 0) {
        let width = widths[0]
        precondition(dataset.featureCount == width, "dataset has \(dataset.featureCount) features, model takes \(width)")
        precondition(firstRow + indices.count <= capacity, "batch of \(firstRow + indices.count) rows exceeds workspace capacity \(capacity)")
        dataset.features.withUnsafeBufferPointer { source in
            var row = firstRow
            for index in indices {
                (input + row * width).update(from: source.baseAddress! + index * width, count: width)
                labels[row] = dataset.labels[index]
                targets[row] = dataset.target(index)
                row += 1
            }
        }
        rows = firstRow + indices.count
    }

    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        let pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
        return pointer
    }
}
