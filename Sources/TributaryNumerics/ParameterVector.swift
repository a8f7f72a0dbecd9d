/// All parameters of a model (or a delta, a gradient, a Fisher diagonal) as one flat
/// float32 buffer, with the layout that names its pieces.
public struct ParameterVector: Sendable, Equatable, Hashable {
    public let layout: ParameterLayout
    public var storage: [Float]

    public init(layout: ParameterLayout, storage: [Float]) {
        precondition(
            storage.count == layout.totalCount,
            "ParameterVector: layout holds \(layout.totalCount) scalars, storage has \(storage.count)")
        self.layout = layout
        self.storage = storage
    }

    /// A zero vector over `layout`.
    public init(zerosLike layout: ParameterLayout) {
        self.init(layout: layout, storage: [Float](repeating: 0, count: layout.totalCount))
    }

    public var count: Int { storage.count }

    /// The named parameter as a tensor (a copy).
    public func tensor(named name: String) -> Tensor? {
        guard let entry = layout[name] else { return nil }
        return Tensor(shape: entry.shape, scalars: Array(storage[entry.range]))
    }

    /// Replaces the named parameter's values.
    public mutating func setTensor(_ tensor: Tensor, named name: String) {
        guard let entry = layout[name] else { preconditionFailure("no parameter named \(name)") }
        precondition(entry.shape == tensor.shape, "\(name): shape \(tensor.shape), expected \(entry.shape)")
        storage.replaceSubrange(entry.range, with: tensor.scalars)
    }

    /// `self += alpha * other` over the whole buffer.
    public mutating func add(_ other: ParameterVector, scaledBy alpha: Float = 1) {
        precondition(layout == other.layout, "ParameterVector.add: layouts differ")
        other.storage.withUnsafeBufferPointer { x in
            storage.withUnsafeMutableBufferPointer { y in BLAS.axpy(alpha, x: x, y: y) }
        }
    }

    /// `self - other`: the delta that takes `other` to `self`.
    public func subtracting(_ other: ParameterVector) -> ParameterVector {
        precondition(layout == other.layout, "ParameterVector.subtracting: layouts differ")
        return ParameterVector(layout: layout, storage: ParameterDelta.between(candidate: storage, base: other.storage))
    }

    public mutating func scale(by alpha: Float) {
        storage.withUnsafeMutableBufferPointer { BLAS.scal(alpha, $0) }
    }

    public var norm: Float { storage.withUnsafeBufferPointer { BLAS.nrm2($0) } }

    public var isFinite: Bool { storage.withUnsafeBufferPointer { VectorMath.allFinite($0) } }
}
