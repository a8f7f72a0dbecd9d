import Foundation

/// One row of the registry: a committed model version and what is known about it.
public struct ModelVersion: Sendable, Equatable, Codable {
    public var number: UInt64
    /// SHA-256 (hex) of the checkpoint encoding: the blob's name and its integrity check.
    public var digest: String
    public var parent: UInt64?
    public var roundID: UInt64?
    /// Client ids whose updates went into this version.
    public var participants: [String]
    public var metrics: [String: Double]
    public var status: VersionStatus
    public var isLive: Bool
    public var createdAt: Date
    public var note: String
    /// Why the status last changed (a rejection's reason, a rollback's), empty otherwise.
    public var statusReason: String
    /// Size of the blob in bytes.
    public var byteCount: Int64
}
