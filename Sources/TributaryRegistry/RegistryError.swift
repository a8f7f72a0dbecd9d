import TributarySystem

/// A registry failure: an open `code`, and a reason naming the version, round, file or value.
public typealias RegistryError = TributaryError<RegistryErrorDomain>

/// The domain of ``RegistryError``.
public enum RegistryErrorDomain: ErrorDomain {}

extension TributaryError.Code where Domain == RegistryErrorDomain {
    /// No version has that number.
    public static var versionNotFound: Self { Self("versionNotFound") }
    /// The version's status does not allow the change (promote a rejected version, …).
    public static var invalidTransition: Self { Self("invalidTransition") }
    /// The operation needs a live version and there is none (or no earlier one to roll back to).
    public static var noLiveVersion: Self { Self("noLiveVersion") }
    /// A version's blob file is missing.
    public static var missingBlob: Self { Self("missingBlob") }
    /// A blob's bytes do not verify against the digest its version records.
    public static var corruptBlob: Self { Self("corruptBlob") }
    /// The round journal has no round with that id.
    public static var roundNotFound: Self { Self("roundNotFound") }
    /// A round with that id was already opened.
    public static var roundExists: Self { Self("roundExists") }
    /// A round change its state does not allow (record an update while aggregating, …).
    public static var invalidRound: Self { Self("invalidRound") }
    /// A file could not be read or written.
    public static var io: Self { Self("io") }
    /// SQLite refused an operation.
    public static var database: Self { Self("database") }
    /// Another process holds the registry's exclusive lock (a running coordinator).
    public static var locked: Self { Self("locked") }
    /// The registry cannot be written (read-only mount or permissions), or was opened read-only.
    public static var readOnly: Self { Self("readOnly") }
}
