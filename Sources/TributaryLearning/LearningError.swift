import TributarySystem

/// An error from the learning layer: what went wrong (`code`), and a reason that names the
/// thing that was wrong and the value it had.
public typealias LearningError = TributaryError<LearningErrorDomain>

/// The domain of ``LearningError``.
public enum LearningErrorDomain: ErrorDomain {}

extension TributaryError.Code where Domain == LearningErrorDomain {
    /// A model spec that cannot be built (bad sizes, unknown activation, loss mismatch).
    public static var invalidModelSpec: Self { Self("invalidModelSpec") }
    /// Data or state whose shape does not match the model.
    public static var shapeMismatch: Self { Self("shapeMismatch") }
    /// A data file or record that cannot be read (names row, column and value).
    public static var invalidData: Self { Self("invalidData") }
    /// A data set with no examples.
    public static var emptyData: Self { Self("emptyData") }
    /// A checkpoint whose bytes are damaged: bad magic, checksum mismatch, truncated.
    public static var corruptCheckpoint: Self { Self("corruptCheckpoint") }
    /// A checkpoint written by a newer format version.
    public static var unsupportedCheckpointVersion: Self { Self("unsupportedCheckpointVersion") }
    /// A file could not be read or written.
    public static var io: Self { Self("io") }
    /// Training produced NaN or infinite values.
    public static var nonFinite: Self { Self("nonFinite") }
}
