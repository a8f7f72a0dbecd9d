import TributaryNumerics

/// A bounded memory of past examples, replayed alongside new data to limit forgetting.
public struct ReplayBuffer: Sendable, Equatable {
    public private(set) var configuration: ReplayConfiguration
    /// The stored examples.
    public private(set) var examples: Dataset
    /// For each stored example, the value of `seen` when it was stored.
    public private(set) var storedAt: [Int64]
    /// Examples offered to the buffer so far.
    public private(set) var seen: Int64
    /// Examples offered so far, per class.
    public private(set) var seenPerClass: [Int32: Int64]
    /// Next slot the sliding window overwrites.
    private var windowCursor: Int

    public init(configuration: ReplayConfiguration, featureCount: Int) {
        self.configuration = configuration
        self.examples = Dataset(featureCount: featureCount)
        self.storedAt = []
        self.seen = 0
        self.seenPerClass = [:]
        self.windowCursor = 0
    }

    /// Restores a buffer from its persisted parts; throws when they do not fit together.
    public init(
        configuration: ReplayConfiguration, examples: Dataset, storedAt: [Int64], seen: Int64,
        seenPerClass: [Int32: Int64], windowCursor: Int
    ) throws {
        try configuration.validate()
        guard examples.count <= configuration.capacity, storedAt.count == examples.count else {
            throw LearningError(
                .shapeMismatch,
                "replay buffer: \(examples.count) examples and \(storedAt.count) timestamps for capacity \(configuration.capacity)")
        }
        guard seen >= Int64(examples.count), (0...max(configuration.capacity, 1)).contains(windowCursor) else {
            throw LearningError(.shapeMismatch, "replay buffer: seen \(seen) / window cursor \(windowCursor) inconsistent with \(examples.count) stored")
        }
        self.configuration = configuration
        self.examples = examples
        self.storedAt = storedAt
        self.seen = seen
        self.seenPerClass = seenPerClass
        self.windowCursor = windowCursor
    }

    public var count: Int { examples.count }
    public var isEmpty: Bool { examples.isEmpty }
    public var featureCount: Int { examples.featureCount }
    /// The sliding window's write position (persisted with the buffer).
    public var cursor: Int { windowCursor }

    /// Stored examples per class.
    public var storedPerClass: [Int32: Int] {
        examples.labels.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }

    /// Offers every example of `data` to the buffer, in order.
    public mutating func insert(_ data: Dataset, generator: inout SeededGenerator) {
        for index in 0..<data.count { insert(features: data.row(index), label: data.labels[index], generator: &generator) }
    }

    /// Offers one example to the buffer; the policy decides whether and where it is kept.
    public mutating func insert(features: some Collection<Float>, label: Int32, generator: inout SeededGenerator) {
        let capacity = configuration.capacity
        seen += 1
        seenPerClass[label, default: 0] += 1
        guard capacity > 0 else { return }
        if examples.count < capacity {
            examples.append(features: features, label: label)
            storedAt.append(seen)
            windowCursor = examples.count % capacity
            return
        }
        let slot: Int?
        switch configuration.policy {
        case .reservoir, .exponentialDecay:
            let j = Int(generator.next(upperBound: UInt64(seen)))
            slot = j < capacity ? j : nil
        case .slidingWindow:
            slot = windowCursor
            windowCursor = (windowCursor + 1) % capacity
        case .classBalanced:
            slot = classBalancedSlot(for: label, generator: &generator)
        }
        guard let slot else { return }
        replace(slot: slot, features: features, label: label)
    }

    /// Indices into `examples` for one replay minibatch of up to `count` examples: uniform
    /// without replacement, or weighted by age under `exponentialDecay`.
    public func sample(_ count: Int, generator: inout SeededGenerator) -> [Int] {
        let n = examples.count
        guard n > 0, count > 0 else { return [] }
        if case .exponentialDecay(let halfLife) = configuration.policy {
            var cumulative = [Double](repeating: 0, count: n)
            var total = 0.0
            for i in 0..<n {
                total += Double.exp2(-Double(seen - storedAt[i]) / Double(halfLife))
                cumulative[i] = total
            }
            return (0..<count).map { _ in
                let target = Double(generator.nextUnitFloat()) * total
                var low = 0, high = n - 1
                while low < high {
                    let mid = (low + high) / 2
                    if cumulative[mid] > target { high = mid } else { low = mid + 1 }
                }
                return low
            }
        }
        if count >= n { return Array(0..<n) }
        var pool = Array(0..<n)
        for i in 0..<count {
            let j = i + generator.nextInt(below: n - i)
            pool.swapAt(i, j)
        }
        return Array(pool[0..<count])
    }

    private mutating func classBalancedSlot(for label: Int32, generator: inout SeededGenerator) -> Int? {
        let stored = storedPerClass
        let largest = stored.values.max() ?? 0
        let ownCount = stored[label] ?? 0
        if ownCount < largest {
            let largestClasses = stored.filter { $0.value == largest }.keys.sorted()
            let victimClass = largestClasses[generator.nextInt(below: largestClasses.count)]
            let candidates = examples.labels.indices.filter { examples.labels[$0] == victimClass }
            return candidates[generator.nextInt(below: candidates.count)]
        }
        let seenOfClass = seenPerClass[label] ?? 1
        guard Double(generator.nextUnitFloat()) < Double(ownCount) / Double(seenOfClass) else { return nil }
        let candidates = examples.labels.indices.filter { examples.labels[$0] == label }
        return candidates[generator.nextInt(below: candidates.count)]
    }

    private mutating func replace(slot: Int, features: some Collection<Float>, label: Int32) {
        let width = examples.featureCount
        examples.features.replaceSubrange((slot * width)..<((slot + 1) * width), with: features)
        examples.labels[slot] = label
        storedAt[slot] = seen
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
import Darwin
#endif

extension Double {
    static func exp2(_ x: Double) -> Double {
        #if canImport(Glibc)
        Glibc.exp2(x)
        #elseif canImport(Musl)
        Musl.exp2(x)
        #else
        Darwin.exp2(x)
        #endif
    }
}
