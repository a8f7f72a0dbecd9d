/// A detector of change in the mean of a stream (a model's per-example error or loss).
public protocol DriftDetector: Sendable {
    /// Feeds one value; returns true when the detector signals a change at this value.
    mutating func observe(_ value: Double) -> Bool
    /// Forgets everything (after the model was retrained).
    mutating func reset()
    /// Values seen since the last reset.
    var count: Int { get }
}
