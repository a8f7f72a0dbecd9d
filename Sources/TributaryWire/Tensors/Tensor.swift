import TributaryNumerics

/// The wire carries the numerics layer's `Tensor` (one type from training to frames): a dense,
/// row-major float32 tensor. On the wire its elements are raw little-endian bytes; mapping copies
/// them in one block (no per-element work), so a 1M-element tensor maps in well under a millisecond.
extension Tensor {
    /// A tensor from values not yet checked (a peer's, a file's): throws
    /// ``WireError/Code/tensorSizeMismatch`` if `scalars.count` is not the product of `shape`,
    /// ``WireError/Code/invalidValue`` for a negative dimension, ``WireError/Code/shapeOverflow``
    /// if the product overflows, each naming the shape and counts.
    public init(validatingShape shape: [Int], scalars: [Float]) throws {
        let count = try ParameterSet.elementCount(shape, field: "Tensor")
        try require(count == scalars.count, .tensorSizeMismatch,
                    "Tensor has \(scalars.count) scalars but shape \(shape) needs \(count)")
        self.init(shape: shape, scalars: scalars)
    }

    /// Bytes of its data on the wire.
    public var byteCount: Int { scalars.count * MemoryLayout<Float>.size }
}
