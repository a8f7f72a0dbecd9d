import Foundation

/// What a restarted coordinator does with a round the journal shows unfinished. Decided by a pure
/// function of the journal and the registry (`decide`), carried out by
/// `ModelRegistry.recoverRounds(now:)`.
public enum RoundRecovery: Sendable, Equatable {
    /// Keep collecting until the deadline. The running sums died with the process, so the clients
    /// in `resend` (already accepted) must send their updates again; their digests are journaled.
    case resume(round: UInt64, resend: [String])
    /// The round's version was committed before the crash: mark the round closed with it.
    case close(round: UInt64, version: UInt64)
    /// Nothing of the round can be used; the live model stays.
    case abandon(round: UInt64, reason: String)

    /// The decision for `round` at `now`, given the live version and the version (if any)
    /// registered for this round.
    public static func decide(_ round: RoundRecord, now: Date, liveVersion: UInt64?, committedVersion: UInt64?) -> RoundRecovery {
        switch round.state {
        case .collecting:
            if now >= round.deadline {
                return .abandon(round: round.id, reason: "coordinator restarted after the deadline of round \(round.id)")
            }
            if round.baseVersion != liveVersion {
                return .abandon(round: round.id, reason: "round \(round.id) trained from version \(round.baseVersion.map(String.init) ?? "none"), the live version is now \(liveVersion.map(String.init) ?? "none")")
            }
            return .resume(round: round.id, resend: round.updates.map(\.clientID))
        case .aggregating:
            return .abandon(round: round.id, reason: "coordinator restarted while aggregating round \(round.id); the running sums are not persisted")
        case .committing:
            if let committedVersion { return .close(round: round.id, version: committedVersion) }
            return .abandon(round: round.id, reason: "coordinator restarted while committing round \(round.id) before its version was registered")
        case .closed, .abandoned:
            preconditionFailure("round \(round.id) is already \(round.state.rawValue)")
        }
    }
}
