/// A dense, row-major float32 tensor with value semantics.
///
/// Storage is a Swift `Array`, so copies are copy-on-write and the type is `Sendable`.
/// Hot loops work on `withUnsafeBufferPointer` / `withUnsafeMutableBufferPointer` rather than
/// through subscripts, which keeps exclusivity and uniqueness checks out of the inner loop.
public struct Tensor: Sendable, Equatable, Hashable {
    public private(set) var shape: [Int]
    public var scalars: [Float]

    /// Creates a tensor from its scalars (row-major) and shape.
    /// - Precondition: `scalars.count` equals the product of `shape`.
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor shape \(shape) has a negative dimension")
        precondition(
            Tensor.count(of: shape) == scalars.count,
            "Tensor shape \(shape) needs \(Tensor.count(of: shape)) scalars, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor of the given shape filled with `value`.
    public init(shape: [Int], repeating value: Float = 0) {
        self.init(shape: shape, scalars: [Float](repeating: value, count: Tensor.count(of: shape)))
    }

    /// A rank-1 tensor over `scalars`.
    public init(_ scalars: [Float]) {
        self.init(shape: [scalars.count], scalars: scalars)
    }

    public var count: Int { scalars.count }
    public var rank: Int { shape.count }

    /// Number of scalars a tensor of `shape` holds.
    public static func count(of shape: [Int]) -> Int {
        shape.reduce(1, *)
    }

    /// The same scalars viewed under another shape with the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, scalars: scalars)
    }

    /// Element at a row-major position of a rank-2 tensor.
    public subscript(row: Int, column: Int) -> Float {
        get {
            precondition(rank == 2, "2-D subscript on a tensor of shape \(shape)")
            return scalars[row * shape[1] + column]
        }
        set {
            precondition(rank == 2, "2-D subscript on a tensor of shape \(shape)")
            scalars[row * shape[1] + column] = newValue
        }
    }

    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try scalars.withUnsafeBufferPointer(body)
    }

    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try scalars.withUnsafeMutableBufferPointer(body)
    }
}
