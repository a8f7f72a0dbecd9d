import TributarySystem

/// Why an update was refused or a round could not be aggregated: an open `code`, and a reason
/// that names the client, the field and the value that was wrong.
public typealias AggregationError = TributaryError<AggregationErrorDomain>

/// The domain of ``AggregationError``.
public enum AggregationErrorDomain: ErrorDomain {
    /// The client whose update was refused, when there is one.
    public typealias Detail = String?

    public static func describe(code: String, reason: String) -> String { "\(code): \(reason)" }
}

extension TributaryError.Code where Domain == AggregationErrorDomain {
    /// The update names a round other than the one being collected.
    public static var staleRound: Self { Self("staleRound") }
    /// The update was trained from a model version other than the round's base.
    public static var baseVersionMismatch: Self { Self("baseVersionMismatch") }
    /// The update's parameter layout (names, shapes, offsets) differs from the model's.
    public static var layoutMismatch: Self { Self("layoutMismatch") }
    /// The delta or Fisher buffer holds the wrong number of values.
    public static var shapeMismatch: Self { Self("shapeMismatch") }
    /// The example count n is zero or negative.
    public static var nonPositiveExamples: Self { Self("nonPositiveExamples") }
    /// The example count n is above the policy's bound.
    public static var tooManyExamples: Self { Self("tooManyExamples") }
    /// A reported metric (accuracy, loss) is NaN or ±∞.
    public static var nonFiniteMetric: Self { Self("nonFiniteMetric") }
    /// The delta holds NaN or ±∞.
    public static var nonFiniteDelta: Self { Self("nonFiniteDelta") }
    /// The Fisher diagonal holds NaN or ±∞.
    public static var nonFiniteFisher: Self { Self("nonFiniteFisher") }
    /// The Fisher diagonal holds a negative value.
    public static var negativeFisher: Self { Self("negativeFisher") }
    /// The rule needs a Fisher diagonal and the update has none.
    public static var missingFisher: Self { Self("missingFisher") }
    /// ‖Δ‖₂ exceeds the configured bound.
    public static var normTooLarge: Self { Self("normTooLarge") }
    /// The client already has an accepted update in this round.
    public static var duplicateClient: Self { Self("duplicateClient") }
    /// The round has no accepted update to aggregate.
    public static var noUpdates: Self { Self("noUpdates") }
    /// Sums from secure aggregation that do not fit the round (length, values, a missing Fisher sum).
    public static var invalidSecureSum: Self { Self("invalidSecureSum") }
    /// Global parameters or server-optimizer state that do not fit the model.
    public static var stateMismatch: Self { Self("stateMismatch") }
}

extension TributaryError where Domain == AggregationErrorDomain {
    public init(_ code: Code, _ reason: String, clientID: String? = nil, file: String = #fileID, line: Int = #line) {
        self.init(code, reason, detail: clientID, file: file, line: line)
    }

    /// The client whose update was refused, when there is one.
    public var clientID: String? {
        get { detail }
        set { detail = newValue }
    }
}
