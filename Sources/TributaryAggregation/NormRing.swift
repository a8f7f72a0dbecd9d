/// The newest `capacity` norms, oldest overwritten first, and their median.
public struct NormRing: Sendable, Equatable, Hashable, Codable {
    public let capacity: Int
    public private(set) var values: [Float] = []
    private var next = 0

    public init(capacity: Int) {
        precondition(capacity >= 1, "NormRing: capacity is \(capacity), must be ≥ 1")
        self.capacity = capacity
    }

    public var count: Int { values.count }

    public mutating func append(_ value: Float) {
        if values.count < capacity {
            values.append(value)
        } else {
            values[next] = value
        }
        next = (next + 1) % capacity
    }

    /// The median (the mean of the middle two for an even count); nil when empty.
    public var median: Float? { values.isEmpty ? nil : Self.median(of: values) }

    /// The median of non-empty `values`.
    public static func median(of values: [Float]) -> Float {
        precondition(!values.isEmpty, "NormRing.median(of:): no values")
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
