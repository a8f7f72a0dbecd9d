import TributarySystem

/// Why a privacy setting, a clipping input or an accountant query was refused: an open `code`
/// and a reason that names the setting and the value it had.
public typealias PrivacyError = TributaryError<PrivacyErrorDomain>

/// The domain of ``PrivacyError``.
public enum PrivacyErrorDomain: ErrorDomain {
    public static func describe(code: String, reason: String) -> String { "\(code): \(reason)" }
}

extension TributaryError.Code where Domain == PrivacyErrorDomain {
    /// A vector to clip or noise holds NaN or ±∞.
    public static var nonFiniteInput: Self { Self("nonFiniteInput") }
    /// A Fisher diagonal to clip holds a negative value.
    public static var negativeFisher: Self { Self("negativeFisher") }
    /// No noise multiplier in the searched range reaches the target ε.
    public static var unreachableEpsilon: Self { Self("unreachableEpsilon") }
    /// The next round would spend more than the budget's ε_max.
    public static var budgetExhausted: Self { Self("budgetExhausted") }
}
