#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
import Darwin
#endif

/// ADWIN, adaptive windowing (Bifet & Gavaldà 2007), with the exponential-histogram compression
/// of ADWIN2: the window is kept as buckets of 2^k values (at most `maxBucketsPerSize` of each
/// size), so memory and time are O(log W).
///
/// Whenever two adjacent sub-windows W₀ (older) and W₁ (newer) have means that differ by more
/// than ε_cut = √(2/m · σ² · ln(2/δ′)) + 2/(3m) · ln(2/δ′), with m = 1/(1/n₀ + 1/n₁), σ² the
/// window's variance and δ′ = δ/ln(n), the older part is dropped and a change is signalled.
public struct ADWIN: DriftDetector, Equatable {
    struct Bucket: Equatable {
        var count: Int
        var total: Double
        /// Σ (x − mean)² over the bucket.
        var variance: Double
    }

    public var confidence: Double
    public var maxBucketsPerSize: Int
    /// Cuts are checked every `checkEvery` values.
    public var checkEvery: Int
    public var minimumSubwindow: Int
    /// Oldest first.
    private var buckets: [Bucket] = []
    public private(set) var count = 0
    private var total = 0.0
    private var variance = 0.0
    private var sinceCheck = 0

    public init(confidence: Double = 0.002, maxBucketsPerSize: Int = 5, checkEvery: Int = 32, minimumSubwindow: Int = 5) {
        precondition(confidence > 0 && confidence < 1, "ADWIN confidence must be in (0, 1), got \(confidence)")
        self.confidence = confidence
        self.maxBucketsPerSize = maxBucketsPerSize
        self.checkEvery = checkEvery
        self.minimumSubwindow = minimumSubwindow
    }

    /// Mean of the current window.
    public var mean: Double { count > 0 ? total / Double(count) : 0 }
    /// Values in the current window.
    public var width: Int { count }

    public mutating func observe(_ value: Double) -> Bool {
        if count > 0 {
            let oldMean = total / Double(count)
            variance += Double(count) / Double(count + 1) * (value - oldMean) * (value - oldMean)
        }
        count += 1
        total += value
        buckets.append(Bucket(count: 1, total: value, variance: 0))
        compress()
        sinceCheck += 1
        guard sinceCheck >= checkEvery else { return false }
        sinceCheck = 0
        return shrinkWhileChanged()
    }

    public mutating func reset() {
        buckets = []
        count = 0
        total = 0
        variance = 0
        sinceCheck = 0
    }

    /// Merges the two oldest buckets of a size when there are too many of it.
    private mutating func compress() {
        var size = 1
        while true {
            let indices = buckets.indices.filter { buckets[$0].count == size }
            guard indices.count > maxBucketsPerSize else { return }
            let a = indices[0], b = indices[1]
            buckets[a] = Self.merge(buckets[a], buckets[b])
            buckets.remove(at: b)
            size *= 2
        }
    }

    private static func merge(_ x: Bucket, _ y: Bucket) -> Bucket {
        let n = Double(x.count + y.count)
        let d = x.total / Double(x.count) - y.total / Double(y.count)
        return Bucket(
            count: x.count + y.count, total: x.total + y.total,
            variance: x.variance + y.variance + Double(x.count) * Double(y.count) / n * d * d)
    }

    /// Drops the oldest buckets while some cut shows a change; true if anything was dropped.
    private mutating func shrinkWhileChanged() -> Bool {
        var changed = false
        while buckets.count > 1, hasCut() {
            let oldest = buckets.removeFirst()
            let oldMean = oldest.total / Double(oldest.count)
            count -= oldest.count
            total -= oldest.total
            let newMean = count > 0 ? total / Double(count) : 0
            variance -= oldest.variance + Double(oldest.count) * Double(count) / Double(count + oldest.count) * (oldMean - newMean) * (oldMean - newMean)
            variance = max(variance, 0)
            changed = true
        }
        return changed
    }

    private func hasCut() -> Bool {
        guard count >= 2 * minimumSubwindow else { return false }
        let n = Double(count)
        let windowVariance = variance / n
        let deltaPrime = confidence / log(n)
        let logTerm = log(2 / deltaPrime)
        var n0 = 0, sum0 = 0.0
        for bucket in buckets.dropLast() {
            n0 += bucket.count
            sum0 += bucket.total
            let n1 = count - n0
            guard n0 >= minimumSubwindow, n1 >= minimumSubwindow else { continue }
            let mean0 = sum0 / Double(n0), mean1 = (total - sum0) / Double(n1)
            let m = 1 / (1 / Double(n0) + 1 / Double(n1))
            let epsilon = (2 / m * windowVariance * logTerm).squareRoot() + 2 / (3 * m) * logTerm
            if abs(mean0 - mean1) > epsilon { return true }
        }
        return false
    }
}
