/// Decides when an edge agent should ask for (or run) a training round: when enough new
/// examples arrived, when held-out accuracy dropped by a margin, or when a drift detector on the
/// prediction-error stream fires. Pure: the agent feeds it observations and acts on the reason.
public struct TrainingTrigger: Sendable {
    public enum Reason: Sendable, Equatable, CustomStringConvertible {
        case volume(newExamples: Int)
        case accuracyDrop(from: Double, to: Double)
        case drift(detector: String, atObservation: Int)

        public var description: String {
            switch self {
            case .volume(let n): "\(n) new examples"
            case .accuracyDrop(let from, let to): "held-out accuracy dropped from \(from) to \(to)"
            case .drift(let name, let at): "\(name) detected drift at observation \(at)"
            }
        }
    }

    public struct Configuration: Sendable, Equatable {
        /// Fire when this many new examples arrived since the last training (nil: off).
        public var volumeThreshold: Int?
        /// Fire when held-out accuracy is this far below its value after the last training (nil: off).
        public var accuracyDropMargin: Double?
        /// Run Page-Hinkley and/or ADWIN on the 0/1 prediction-error stream.
        public var pageHinkley: PageHinkley?
        public var adwin: ADWIN?

        public init(volumeThreshold: Int? = nil, accuracyDropMargin: Double? = nil, pageHinkley: PageHinkley? = nil, adwin: ADWIN? = nil) {
            self.volumeThreshold = volumeThreshold
            self.accuracyDropMargin = accuracyDropMargin
            self.pageHinkley = pageHinkley
            self.adwin = adwin
        }
    }

    public private(set) var configuration: Configuration
    public private(set) var newExamples = 0
    public private(set) var baselineAccuracy: Double?
    private var observations = 0

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// New labelled examples arrived.
    public mutating func examplesArrived(_ count: Int) -> Reason? {
        newExamples += count
        if let threshold = configuration.volumeThreshold, newExamples >= threshold { return .volume(newExamples: newExamples) }
        return nil
    }

    /// The model's prediction on a newly labelled example was right or wrong.
    public mutating func predictionObserved(correct: Bool) -> Reason? {
        observations += 1
        let error = correct ? 0.0 : 1.0
        var reason: Reason?
        if configuration.pageHinkley != nil, configuration.pageHinkley!.observe(error) {
            reason = .drift(detector: "page-hinkley", atObservation: observations)
        }
        if configuration.adwin != nil, configuration.adwin!.observe(error), reason == nil {
            reason = .drift(detector: "adwin", atObservation: observations)
        }
        return reason
    }

    /// Held-out accuracy was measured.
    public mutating func heldOutAccuracy(_ accuracy: Double) -> Reason? {
        guard let margin = configuration.accuracyDropMargin, let baseline = baselineAccuracy else { return nil }
        return accuracy < baseline - margin ? .accuracyDrop(from: baseline, to: accuracy) : nil
    }

    /// The model was retrained: counters restart and `accuracy` is the new held-out baseline.
    public mutating func trained(heldOutAccuracy accuracy: Double?) {
        newExamples = 0
        baselineAccuracy = accuracy
        configuration.pageHinkley?.reset()
        configuration.adwin?.reset()
    }
}
