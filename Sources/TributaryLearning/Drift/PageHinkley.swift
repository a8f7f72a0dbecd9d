/// The Page-Hinkley test (Page 1954) for an increase in the mean of a stream.
///
/// With x̄_t the running mean, m_T = Σ_{t≤T} (x_t − x̄_t − δ) and M_T = min_{t≤T} m_t, it signals
/// when m_T − M_T > λ. δ is the magnitude of change tolerated, λ the alarm threshold; no alarm is
/// raised before `minimumCount` values.
public struct PageHinkley: DriftDetector, Equatable {
    public var delta: Double
    public var threshold: Double
    public var minimumCount: Int
    public private(set) var count = 0
    private var mean = 0.0
    private var cumulative = 0.0
    private var minimum = 0.0

    public init(delta: Double = 0.005, threshold: Double = 50, minimumCount: Int = 30) {
        precondition(delta >= 0 && threshold > 0 && minimumCount >= 1, "PageHinkley(delta: \(delta), threshold: \(threshold), minimumCount: \(minimumCount))")
        self.delta = delta
        self.threshold = threshold
        self.minimumCount = minimumCount
    }

    /// The test statistic m_T − M_T (an alarm when it exceeds `threshold`).
    public var statistic: Double { cumulative - minimum }

    public mutating func observe(_ value: Double) -> Bool {
        count += 1
        mean += (value - mean) / Double(count)
        cumulative += value - mean - delta
        minimum = min(minimum, cumulative)
        guard count >= minimumCount, cumulative - minimum > threshold else { return false }
        reset()
        return true
    }

    public mutating func reset() {
        count = 0
        mean = 0
        cumulative = 0
        minimum = 0
    }
}
