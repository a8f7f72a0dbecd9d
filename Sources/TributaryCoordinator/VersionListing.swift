import Foundation
import TributaryRegistry

/// What `GET /v1/versions` answers: the registry's versions, oldest first (newest last), each
/// with its lineage, status and the metrics stored at commit (`eval.<task>.accuracy`, the gate's
/// figures) and its release decisions. Encoded as every admin answer (snake case, times in Unix
/// seconds): `{"versions": [{"number", "parent", "status", "live", "round_id", "created_at",
/// "metrics", "note", "status_reason", "participants", "decisions": [{"kind", "reason", "figures",
/// "at", "version"}]}]}`.
public struct VersionListing: Sendable, Codable, Equatable {
    public struct Version: Sendable, Codable, Equatable {
        public var number: UInt64
        public var parent: UInt64?
        /// `candidate`, `promoted`, `rejected` or `rolled_back`.
        public var status: String
        /// The registry's live version.
        public var live: Bool
        public var roundID: UInt64?
        public var createdAt: Date
        public var metrics: [String: Double]
        public var note: String
        /// Why the status last changed (a rejection's reasons, a rollback's).
        public var statusReason: String
        /// How many clients' updates went into it.
        public var participants: Int
        /// Its release decisions (a canary started, promoted, rolled back; an operator's), oldest first.
        public var decisions: [VersionDecision]

        public init(_ version: ModelVersion, decisions: [VersionDecision] = []) {
            number = version.number
            parent = version.parent
            status = version.status.rawValue
            live = version.isLive
            roundID = version.roundID
            createdAt = version.createdAt
            // JSON has no NaN or infinity: a figure that is not finite is left out.
            metrics = version.metrics.filter { $0.value.isFinite }
            note = version.note
            statusReason = version.statusReason
            participants = version.participants.count
            self.decisions = decisions
        }
    }

    public var versions: [Version]

    public init(_ versions: [(version: ModelVersion, decisions: [VersionDecision])]) {
        self.versions = versions.sorted { $0.version.number < $1.version.number }.map { Version($0.version, decisions: $0.decisions) }
    }
}
