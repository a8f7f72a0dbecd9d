import TributarySystem

/// An edge agent problem: an open code and a reason naming the value.
public typealias EdgeError = TributaryError<EdgeErrorDomain>

/// The domain of ``EdgeError``.
public enum EdgeErrorDomain: ErrorDomain {}

extension TributaryError.Code where Domain == EdgeErrorDomain {
    /// The coordinator refused this edge for good (revoked or refused certificate…): retrying cannot help.
    public static var fatalRefusal: Self { Self("fatalRefusal") }
    /// The edge's own state (checkpoint, store) cannot be read or written.
    public static var state: Self { Self("state") }
    /// Input the edge was given does not fit the model (a CSV row with the wrong column count, a value that is not a number).
    public static var invalidInput: Self { Self("invalidInput") }
}
