/// Where each named parameter of a model lives inside one flat vector.
///
/// Every model keeps all of its parameters in one contiguous buffer, so deltas, Fisher
/// diagonals, optimizer state and aggregation are single vector operations over that buffer,
/// and a named view (`dense1.weight`) is an offset and a shape.
public struct ParameterLayout: Sendable, Equatable, Hashable, Codable {
    public struct Entry: Sendable, Equatable, Hashable, Codable {
        public var name: String
        public var shape: [Int]
        public var offset: Int
        public var count: Int { Tensor.count(of: shape) }
        public var range: Range<Int> { offset..<(offset + count) }
    }

    public private(set) var entries: [Entry]
    public private(set) var totalCount: Int

    public init() {
        entries = []
        totalCount = 0
    }

    /// Builds a layout from (name, shape) pairs, packed in order.
    public init(_ parameters: [(name: String, shape: [Int])]) {
        self.init()
        for parameter in parameters { append(name: parameter.name, shape: parameter.shape) }
    }

    /// Appends a parameter at the end of the buffer and returns its entry.
    @discardableResult
    public mutating func append(name: String, shape: [Int]) -> Entry {
        precondition(!entries.contains { $0.name == name }, "duplicate parameter name \(name)")
        let entry = Entry(name: name, shape: shape, offset: totalCount)
        entries.append(entry)
        totalCount += entry.count
        return entry
    }

    public subscript(name: String) -> Entry? {
        entries.first { $0.name == name }
    }

    public var names: [String] { entries.map(\.name) }

    /// The flat buffer's `index` by name, e.g. "dense1.weight[3]"; nil outside the layout.
    public func name(ofFlatIndex index: Int) -> String? {
        guard let entry = entries.first(where: { $0.range.contains(index) }) else { return nil }
        return "\(entry.name)[\(index - entry.offset)]"
    }
}
