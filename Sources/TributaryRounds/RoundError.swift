import TributarySystem

/// An error or refusal from the round logic, with an open code and a reason naming the value.
public typealias RoundError = TributaryError<RoundErrorDomain>

/// The domain of ``RoundError``.
public enum RoundErrorDomain: ErrorDomain {}

extension TributaryError.Code where Domain == RoundErrorDomain {
    /// The update's round has closed or been abandoned.
    public static var lateUpdate: Self { Self("lateUpdate") }
    /// The update names a round this coordinator never ran.
    public static var unknownRound: Self { Self("unknownRound") }
    /// The client was not offered this round.
    public static var notSelected: Self { Self("notSelected") }
    /// The client already sent an update for this round.
    public static var duplicateUpdate: Self { Self("duplicateUpdate") }
    /// The update was trained from another model version than the round's.
    public static var wrongBaseVersion: Self { Self("wrongBaseVersion") }
    /// A start was requested while a round runs.
    public static var roundInProgress: Self { Self("roundInProgress") }
    /// A start was requested with fewer eligible clients than the quorum.
    public static var notEnoughClients: Self { Self("notEnoughClients") }
    /// The update claims no examples.
    public static var emptyUpdate: Self { Self("emptyUpdate") }
    /// After a restart, a client resent an update for a resumed round that is not the one
    /// the journal holds for it (another digest or example count).
    public static var resendDiffers: Self { Self("resendDiffers") }
}
