import TributarySystem

/// A coordinator failure, with an open code and a reason naming the thing and its value.
public typealias CoordinatorError = TributaryError<CoordinatorErrorDomain>

/// The domain of ``CoordinatorError``.
public enum CoordinatorErrorDomain: ErrorDomain {}

extension TributaryError.Code where Domain == CoordinatorErrorDomain {
    /// The coordinator could not start (registry, initial checkpoint, certificates, socket).
    public static var startup: Self { Self("startup") }
    /// The call needs a running coordinator.
    public static var notRunning: Self { Self("notRunning") }
    /// The round logic refused an operator's start (one is running, too few clients).
    public static var roundRefused: Self { Self("roundRefused") }
    /// The registry changed under a running coordinator: a commit got a version number other
    /// than the one the round expected (another process writing to the same registry).
    public static var registryConflict: Self { Self("registryConflict") }
    /// A message (a model-sized offer or release) did not reach the client's socket within
    /// `transfers.send_timeout`; its connection was closed.
    public static var sendTimeout: Self { Self("sendTimeout") }
    /// An admin request was malformed.
    public static var badRequest: Self { Self("badRequest") }
}

extension TributaryError.Code where Domain == CoordinatorErrorDomain {
    /// `tributary rollout promote|abort` with no rollout in flight (or one already being settled).
    public static var noRollout: Self { Self("noRollout") }
}
