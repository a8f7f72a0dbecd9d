/// Decides when an edge agent should report itself ready to train: when enough new examples
/// arrived, when the model's accuracy dropped by a margin, or when a drift detector on the
/// prediction-error stream fires. Pure: events in (``handle(_:)``), a decision out.
///
/// Accuracy is measured either by the caller (``Event/heldOutAccuracy(_:)``, a held-out slice) or
/// here, as the rolling accuracy of the last `accuracyWindow` outcomes the caller reports
/// (``Event/prediction(correct:)``: the current model's predictions of newly labelled examples,
/// or the live outcomes of its served predictions); the first full window after training (or
/// after a new model) is the baseline.
///
/// A reason is announced once: after it fired, the trigger stays ``pending`` (and quiet) until
/// the model is trained; on each new connection a pending reason is announced again as
/// ``Reason/startup(_:)``, because the coordinator forgets a client's facts when it disconnects.
public struct TrainingTrigger: Sendable {
    public indirect enum Reason: Sendable, Equatable, CustomStringConvertible {
        case volume(newExamples: Int)
        case accuracyDrop(from: Double, to: Double)
        case drift(detector: String, atObservation: Int)
        /// Announced on connect: `pending` fired before this session.
        case startup(Reason)

        /// The name carried in `Ready.trigger`.
        public var name: String {
            switch self {
            case .volume: "volume"
            case .accuracyDrop: "accuracy_drop"
            case .drift: "drift"
            case .startup: "startup"
            }
        }

        public var description: String {
            switch self {
            case .volume(let n): "\(n) new examples"
            case .accuracyDrop(let from, let to): "accuracy dropped from \(from) to \(to)"
            case .drift(let name, let at): "\(name) detected drift at observation \(at)"
            case .startup(let pending): "already past a trigger at startup (\(pending))"
            }
        }
    }

    public struct Configuration: Sendable, Equatable {
        /// Fire when this many new examples arrived since the last training (nil: off).
        public var volumeThreshold: Int?
        /// Fire when accuracy is this far below its baseline (nil: off).
        public var accuracyDropMargin: Double?
        /// Measure accuracy as the rolling mean over this many newest predictions (nil: only
        /// ``Event/heldOutAccuracy(_:)`` measures it).
        public var accuracyWindow: Int?
        /// Run Page-Hinkley and/or ADWIN on the 0/1 prediction-error stream.
        public var pageHinkley: PageHinkley?
        public var adwin: ADWIN?

        public init(volumeThreshold: Int? = nil, accuracyDropMargin: Double? = nil, accuracyWindow: Int? = nil,
                    pageHinkley: PageHinkley? = nil, adwin: ADWIN? = nil) {
            self.volumeThreshold = volumeThreshold
            self.accuracyDropMargin = accuracyDropMargin
            self.accuracyWindow = accuracyWindow
            self.pageHinkley = pageHinkley
            self.adwin = adwin
        }
    }

    /// What happened on the edge.
    public enum Event: Sendable, Equatable {
        /// New labelled examples were stored.
        case examplesArrived(Int)
        /// The current model's prediction was right or wrong: its prediction of a newly labelled
        /// example, or (on an edge that serves) the feedback on a prediction it served (a live outcome).
        case prediction(correct: Bool)
        /// Accuracy on a held-out slice was measured.
        case heldOutAccuracy(Double)
        /// The model was trained on the local data; `accuracy` (if known) is the new baseline.
        case trained(heldOutAccuracy: Double?)
        /// The model changed without local training (a release was adopted): detectors and the
        /// accuracy baseline restart; the volume count and a pending reason stay.
        case modelChanged
        /// A session opened.
        case connected
    }

    public private(set) var configuration: Configuration
    public private(set) var newExamples = 0
    public private(set) var baselineAccuracy: Double?
    /// The reason that fired since the last training, if any.
    public private(set) var pending: Reason?

    /// What the drift detectors hold now, by name: `page_hinkley` (its statistic m_T − M_T) and
    /// `page_hinkley_threshold`; `adwin_width` (values in its window) and `adwin_mean` (their mean error).
    public var driftStatistics: [String: Double] {
        var statistics: [String: Double] = [:]
        if let detector = configuration.pageHinkley {
            statistics["page_hinkley"] = detector.statistic
            statistics["page_hinkley_threshold"] = detector.threshold
        }
        if let detector = configuration.adwin {
            statistics["adwin_width"] = Double(detector.width)
            statistics["adwin_mean"] = detector.mean
        }
        return statistics
    }
    private var observations = 0
    private var recent: [Bool] = []

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Feeds one event; returns the reason to announce now (a Ready with `reason.name`), or nil
    /// when nothing fired or it was already announced.
    public mutating func handle(_ event: Event) -> Reason? {
        let fired: Reason?
        switch event {
        case .examplesArrived(let count): fired = examplesArrived(count)
        case .prediction(let correct): fired = predictionObserved(correct: correct)
        case .heldOutAccuracy(let accuracy): fired = heldOutAccuracy(accuracy)
        case .trained(let accuracy):
            trained(heldOutAccuracy: accuracy)
            return nil
        case .modelChanged:
            restartMeasurements(baseline: nil)
            return nil
        case .connected:
            return pending.map { .startup($0) }
        }
        guard let fired, pending == nil else { return nil }
        pending = fired
        return fired
    }

    /// New labelled examples arrived; the volume reason when the count reaches the threshold.
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
        if let window = configuration.accuracyWindow, window > 0 {
            recent.append(correct)
            if recent.count > window { recent.removeFirst(recent.count - window) }
            if recent.count == window {
                let accuracy = Double(recent.filter { $0 }.count) / Double(window)
                if baselineAccuracy == nil {
                    baselineAccuracy = accuracy
                } else if reason == nil {
                    reason = heldOutAccuracy(accuracy)
                }
            }
        }
        return reason
    }

    /// Accuracy was measured; the accuracy-drop reason when it is below the baseline by the margin.
    public mutating func heldOutAccuracy(_ accuracy: Double) -> Reason? {
        guard let margin = configuration.accuracyDropMargin, let baseline = baselineAccuracy else { return nil }
        return accuracy < baseline - margin ? .accuracyDrop(from: baseline, to: accuracy) : nil
    }

    /// The model was retrained: counters restart, nothing is pending, and `accuracy` is the new baseline.
    public mutating func trained(heldOutAccuracy accuracy: Double?) {
        newExamples = 0
        pending = nil
        restartMeasurements(baseline: accuracy)
    }

    private mutating func restartMeasurements(baseline: Double?) {
        baselineAccuracy = baseline
        observations = 0
        recent.removeAll()
        configuration.pageHinkley?.reset()
        configuration.adwin?.reset()
    }
}
