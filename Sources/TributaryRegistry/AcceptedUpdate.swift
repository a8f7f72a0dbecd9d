import Foundation

/// A client update the coordinator folded into a round: who, its weight, and the digest of the
/// update's bytes (so a resent update can be recognised).
public struct AcceptedUpdate: Sendable, Equatable, Codable {
    public var clientID: String
    public var examples: Int
    public var digest: String
    public var acceptedAt: Date
}
