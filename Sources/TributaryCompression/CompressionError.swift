import TributarySystem

/// Why a vector could not be compressed or a compressed payload could not be read: an open
/// `code` and a reason naming the field, its offset or index, and the value it had.
public typealias CompressionError = TributaryError<CompressionErrorDomain>

/// The domain of ``CompressionError``.
public enum CompressionErrorDomain: ErrorDomain {
    public static func describe(code: String, reason: String) -> String { "\(code): \(reason)" }
}

extension TributaryError.Code where Domain == CompressionErrorDomain {
    /// A vector to encode holds NaN or ±∞.
    public static var nonFiniteInput: Self { Self("nonFiniteInput") }
    /// A vector to encode by its square root holds a negative value.
    public static var negativeInput: Self { Self("negativeInput") }
    /// The payload ends before a field it announces.
    public static var truncated: Self { Self("truncated") }
    /// The payload holds bytes after its last field.
    public static var trailingBytes: Self { Self("trailingBytes") }
    /// The payload does not start with the magic "TC", or names another format or version.
    public static var wrongFormat: Self { Self("wrongFormat") }
    /// A field holds a value the format does not allow (a zero block size, a negative scale, an
    /// index out of order or out of range, an int8 of −128).
    public static var invalidField: Self { Self("invalidField") }
    /// Vectors of different lengths or scales were combined.
    public static var mismatch: Self { Self("mismatch") }
}
