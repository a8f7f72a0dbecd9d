/// A file-system failure: which file, which operation, and the system's reason.
public typealias FileError = TributaryError<FileErrorDomain>

/// The domain of ``FileError``.
public enum FileErrorDomain: ErrorDomain {
    /// The file the error is about.
    public typealias Detail = String
}

extension TributaryError.Code where Domain == FileErrorDomain {
    /// The file is not there.
    public static var missing: Self { Self("missing") }
    /// The file is already there and overwriting was not allowed.
    public static var exists: Self { Self("exists") }
    /// Any other failure to read or write.
    public static var io: Self { Self("io") }
}

extension TributaryError where Domain == FileErrorDomain {
    public init(_ code: Code, path: String, reason: String, file: String = #fileID, line: Int = #line) {
        self.init(code, reason, detail: path, file: file, line: line)
    }

    /// The file the error is about.
    public var path: String {
        get { detail }
        set { detail = newValue }
    }
}
