import TributaryNumerics

/// An ordered set of named tensors with unique names: a model, a delta, a Fisher diagonal.
///
/// Held as the learning layer holds parameters: one flat buffer (`scalars`, the tensors one after
/// the other in order) and the entries that name its pieces. A flat vector becomes a set without a
/// copy (``init(scalars:shapes:)``), a set is encoded straight from that buffer into frames, and a
/// received set is decoded straight into one buffer.
public struct ParameterSet: Sendable, Hashable {
    /// One tensor of the set: its name, its shape, and where its scalars lie in ``scalars``.
    public struct Entry: Sendable, Hashable {
        public let name: String
        public let shape: [Int]
        public let range: Range<Int>
    }

    public let entries: [Entry]
    /// Every tensor's scalars, row-major, in entry order.
    public let scalars: [Float]

    /// The set over a flat buffer, without copying it: `shapes` name its pieces in order.
    /// Throws as ``init(_:)`` does for names, ``WireError/Code/invalidValue`` /
    /// ``WireError/Code/shapeOverflow`` for a bad shape, and ``WireError/Code/tensorSizeMismatch``
    /// when the shapes do not cover `scalars` exactly.
    public init(scalars: [Float], shapes: [(name: String, shape: [Int])]) throws {
        try Self.checkUnique(shapes.lazy.map(\.name), field: "ParameterSet.tensors")
        var entries: [Entry] = []
        entries.reserveCapacity(shapes.count)
        var end = 0
        for (index, (name, shape)) in shapes.enumerated() {
            try requireName(name, "ParameterSet.tensors[\(index)].name", maxBytes: NamedTensor.maxNameBytes)
            let count = try Self.elementCount(shape, field: "ParameterSet.tensors[\(index)] (\"\(name)\")")
            let (next, overflow) = end.addingReportingOverflow(count)
            try require(!overflow, .shapeOverflow, "ParameterSet.tensors hold more than \(Int.max) elements")
            entries.append(Entry(name: name, shape: shape, range: end..<next))
            end = next
        }
        try require(end == scalars.count, .tensorSizeMismatch,
                    "ParameterSet has \(scalars.count) scalars but its shapes need \(end)")
        self.entries = entries
        self.scalars = scalars
    }

    /// The set of `tensors`, their scalars copied into one buffer.
    /// Throws ``WireError/Code/invalidValue`` if two tensors share a name.
    public init(_ tensors: [NamedTensor]) throws {
        try Self.checkUnique(tensors.lazy.map(\.name), field: "ParameterSet.tensors")
        var scalars: [Float] = []
        scalars.reserveCapacity(tensors.reduce(0) { $0 + $1.tensor.count })
        var entries: [Entry] = []
        entries.reserveCapacity(tensors.count)
        for named in tensors {
            entries.append(Entry(name: named.name, shape: named.tensor.shape, range: scalars.count..<scalars.count + named.tensor.count))
            scalars.append(contentsOf: named.tensor.scalars)
        }
        self.entries = entries
        self.scalars = scalars
    }

    init(entries: [Entry], scalars: [Float]) {
        self.entries = entries
        self.scalars = scalars
    }

    /// The tensors, each a copy of its piece of ``scalars`` (for inspection; the codec and the
    /// learning layer use the flat buffer).
    public var tensors: [NamedTensor] {
        entries.map { NamedTensor(unchecked: $0.name, tensor: tensor($0)) }
    }

    /// The tensor named `name` (a copy), if any.
    public subscript(name: String) -> Tensor? {
        entries.first { $0.name == name }.map(tensor)
    }

    /// The shape of the tensor named `name`, if any (no copy of its scalars).
    public func shape(of name: String) -> [Int]? {
        entries.first { $0.name == name }?.shape
    }

    /// Number of tensors.
    public var count: Int { entries.count }

    /// Total number of scalars.
    public var scalarCount: Int { scalars.count }

    /// True if `other` has the same names, in the same order, with the same shapes.
    public func hasSameLayout(as other: ParameterSet) -> Bool {
        entries.count == other.entries.count
            && zip(entries, other.entries).allSatisfy { $0.name == $1.name && $0.shape == $1.shape }
    }

    private func tensor(_ entry: Entry) -> Tensor {
        Tensor(shape: entry.shape, scalars: Array(scalars[entry.range]))
    }

    static func checkUnique(_ names: some Sequence<String>, field: String) throws {
        var seen = Set<String>()
        for (index, name) in names.enumerated() {
            try require(seen.insert(name).inserted, .invalidValue,
                        "\(field)[\(index)].name \"\(name)\" appears twice; names must be unique")
        }
    }

    /// The product of `shape`, or an error naming `field` for a negative dimension or overflow.
    static func elementCount(_ shape: [Int], field: String) throws -> Int {
        var count = 1
        for (axis, dim) in shape.enumerated() {
            try require(dim >= 0, .invalidValue, "\(field).shape[\(axis)] is \(dim); dimensions must be >= 0")
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            try require(!overflow, .shapeOverflow, "\(field).shape \(shape) has more elements than Int.max")
            count = product
        }
        return count
    }
}
