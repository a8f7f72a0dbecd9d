/// The one error shape of every Tributary module: an open ``Code``, a ``reason`` that names the
/// thing that was wrong and the value it had, and the source location that raised it.
///
/// Each module names its error with a typealias over its own ``ErrorDomain``
/// (`public typealias RoundError = TributaryError<RoundErrorDomain>`) and declares its codes as
/// static members of `TributaryError.Code where Domain == …`, so call sites read as before:
/// `throw RoundError(.lateUpdate, "…")`, `error.code == .locked`, `catch let error as RegistryError`
/// (each domain is its own type). Codes are an open set: new ones are added without breaking
/// callers, and only this package mints them.
///
/// Like `CertificateError` in swift-certificates, equality and hashing consider the ``code`` and
/// the domain's ``detail`` only (not the reason or the location), so tests compare outcomes.
public struct TributaryError<Domain: ErrorDomain>: Error, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What went wrong, by name. An open set: each domain declares its codes as static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code as it appears in messages, logs and metrics (`lateUpdate`).
        public let name: String

        package init(_ name: String) {
            self.name = name
        }

        public var description: String { name }
    }

    public var code: Code
    /// A human reason naming the thing at fault and the value it had.
    public var reason: String
    /// What the domain adds (the session error's origin, the refused client, the file's path).
    public var detail: Domain.Detail
    /// Where in the source the error was raised.
    public var file: String
    public var line: Int

    public init(_ code: Code, _ reason: String, detail: Domain.Detail, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.reason = reason
        self.detail = detail
        self.file = file
        self.line = line
    }

    /// One line for a person, in the domain's form (``ErrorDomain/describe(code:reason:)``).
    public var description: String { Domain.describe(code: code.name, reason: reason) }

    /// The domain, code, reason and the source location that raised it.
    public var debugDescription: String { "\(Domain.name).\(code): \(reason) \(file):\(line)" }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code && lhs.detail == rhs.detail }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(detail)
    }
}

extension TributaryError where Domain.Detail == NoErrorDetail {
    public init(_ code: Code, _ reason: String, file: String = #fileID, line: Int = #line) {
        self.init(code, reason, detail: NoErrorDetail(), file: file, line: line)
    }
}

/// A module's family of errors: its name, what its errors carry beyond code and reason, and how
/// its errors read in one line.
public protocol ErrorDomain: Sendable {
    /// What an error of this domain carries beyond its code and reason; most carry nothing.
    associatedtype Detail: Hashable & Sendable = NoErrorDetail
    /// The name used in debug output: `RoundError`. Default: the domain's type name without its
    /// `Domain` suffix (`RoundErrorDomain` → `RoundError`).
    static var name: String { get }
    /// The one line a person reads. Default: the reason alone.
    static func describe(code: String, reason: String) -> String
}

extension ErrorDomain {
    public static var name: String {
        let type = String(describing: Self.self)
        return type.hasSuffix("Domain") ? String(type.dropLast("Domain".count)) : type
    }

    public static func describe(code: String, reason: String) -> String { reason }
}

extension TributaryError.Code {
    /// A configuration value does not fit. Shared by every domain: each module validates its
    /// configuration once, at construction.
    public static var invalidConfiguration: Self { Self("invalidConfiguration") }
}

/// The ``ErrorDomain/Detail`` of a domain whose errors carry only a code and a reason.
public struct NoErrorDetail: Hashable, Sendable {
    public init() {}
}
