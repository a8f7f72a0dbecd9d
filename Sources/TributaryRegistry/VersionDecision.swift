import Foundation

/// A release decision about a version and its evidence: a canary started, promoted or rolled
/// back on live feedback, an operator's promote or abort. Stored with the version (the
/// `version_decisions` table) in the same transaction as the status change it causes, and
/// printed by `tributary models show`.
public struct VersionDecision: Sendable, Equatable, Codable {
    public var version: UInt64
    /// What was decided: `canary_started`, `canary_promoted`, `canary_rolled_back`,
    /// `operator_promoted`, `operator_aborted`, `abandoned`.
    public var kind: String
    /// One line a person reads: why, with the figures.
    public var reason: String
    /// The evidence as numbers (per-arm outcomes and correct counts, z, p-value, α, minimum effect…).
    public var figures: [String: Double]
    /// Filled in by the registry when stored.
    public var at: Date

    public init(version: UInt64, kind: String, reason: String, figures: [String: Double] = [:], at: Date = Date(timeIntervalSince1970: 0)) {
        self.version = version
        self.kind = kind
        self.reason = reason
        self.figures = figures
        self.at = at
    }
}
