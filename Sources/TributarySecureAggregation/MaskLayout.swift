/// One named run of values in the masked vector, with its own clip and scale.
public struct MaskSegment: Sendable, Hashable {
    public let name: String
    public let count: Int
    public let encoding: FixedPointEncoding

    public init(name: String, count: Int, encoding: FixedPointEncoding) throws {
        guard count >= 1 else { throw SecAggError(.invalidConfiguration, "mask segment \(name) has \(count) values; it needs at least 1") }
        self.name = name
        self.count = count
        self.encoding = encoding
    }
}

/// What a client masks: its segments concatenated into one vector of Z_2^k (one ring, one mask
/// for all segments; each segment has its own fixed-point scale).
public struct MaskLayout: Sendable, Hashable {
    public let bits: Int
    public let segments: [MaskSegment]

    /// - Throws: `invalidConfiguration` when there is no segment, two share a name, or their rings differ.
    public init(segments: [MaskSegment]) throws {
        guard let first = segments.first else { throw SecAggError(.invalidConfiguration, "a mask layout needs at least one segment") }
        for segment in segments where segment.encoding.bits != first.encoding.bits {
            throw SecAggError(
                .invalidConfiguration,
                "mask segment \(segment.name) uses a \(segment.encoding.bits)-bit ring, segment \(first.name) \(first.encoding.bits); all must share one ring")
        }
        var names = Set<String>()
        for segment in segments where !names.insert(segment.name).inserted {
            throw SecAggError(.invalidConfiguration, "mask segment name \(segment.name) appears twice")
        }
        self.bits = first.encoding.bits
        self.segments = segments
    }

    /// Elements in the whole masked vector.
    public var totalCount: Int { segments.reduce(0) { $0 + $1.count } }

    /// The ring's modulus minus one, as a mask.
    public var mask: UInt64 { segments[0].encoding.mask }

    /// The fewest summands any segment guarantees not to wrap.
    public var maxSummands: Int { segments.map(\.encoding.maxSummands).min() ?? 0 }

    /// One client's values, segment by segment, as one ring vector.
    /// - Throws: `invalidInput` naming the segment whose length is wrong or whose value is not finite.
    public func encode(_ input: [[Float]]) throws -> [UInt64] {
        guard input.count == segments.count else {
            throw SecAggError(.invalidInput, "input has \(input.count) segments; the mask layout has \(segments.count) (\(segments.map(\.name).joined(separator: ", ")))")
        }
        var vector: [UInt64] = []
        vector.reserveCapacity(totalCount)
        for (segment, values) in zip(segments, input) {
            guard values.count == segment.count else {
                throw SecAggError(.invalidInput, "input segment \(segment.name) has \(values.count) values; the layout expects \(segment.count)")
            }
            for (i, value) in values.enumerated() {
                do { vector.append(try segment.encoding.encode(value)) } catch let error as SecAggError {
                    throw SecAggError(.invalidInput, "input segment \(segment.name)[\(i)]: \(error.reason)")
                }
            }
        }
        return vector
    }

    /// A ring vector that is a sum of encodings, decoded segment by segment.
    public func decode(_ sum: [UInt64]) -> [[Double]] {
        precondition(sum.count == totalCount, "MaskLayout.decode: \(sum.count) elements, layout has \(totalCount)")
        var offset = 0
        return segments.map { segment in
            defer { offset += segment.count }
            return sum[offset..<offset + segment.count].map { segment.encoding.decode($0) }
        }
    }
}
