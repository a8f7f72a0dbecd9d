import TributarySystem

/// A refused feedback record or a store failure: an open code and a reason naming the value.
public typealias FeedbackError = TributaryError<FeedbackErrorDomain>

/// The domain of ``FeedbackError``.
public enum FeedbackErrorDomain: ErrorDomain {}

extension TributaryError.Code where Domain == FeedbackErrorDomain {
    /// A record with the wrong feature count, a non-finite value, an unknown label…
    public static var invalidRecord: Self { Self("invalidRecord") }
    /// The database could not be read or written.
    public static var storage: Self { Self("storage") }
    /// Feedback or a review names a prediction id that was never logged, or was dropped from the log.
    public static var unknownPrediction: Self { Self("unknownPrediction") }
    /// A prediction was asked for before the edge held a model.
    public static var noModel: Self { Self("noModel") }
}
