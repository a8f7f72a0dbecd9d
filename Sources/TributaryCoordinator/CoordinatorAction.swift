import TributarySecureAggregation
import Foundation
import TributaryRegistry
import TributaryRounds
import TributaryWire

/// The time an event happened, passed in by the shell: the instance never reads a clock.
struct CoordinatorTime: Sendable {
    /// For deadlines and wake-ups.
    var instant: ContinuousClock.Instant
    /// For what leaves the process (the journal's deadline, the plan's deadline).
    var date: Date

    static var now: CoordinatorTime { CoordinatorTime(instant: .now, date: Date()) }

    /// `instant` as a wall-clock date, relative to this time.
    func date(of instant: ContinuousClock.Instant) -> Date {
        date.addingTimeInterval((instant - self.instant).seconds)
    }
}

/// What ``CoordinatorInstance`` asks its shell to do, in order.
enum CoordinatorAction: Sendable {
    /// Queue `message` on the session with this token.
    case send(WireMessage, to: UInt64)
    /// End the session's outbox (after what was queued on it).
    case endSession(UInt64)
    /// Append to the round journal (in order, off the actor; kept and retried if refused).
    case journal(JournalWrite)
    /// Journal `round` as collecting; answer with `roundOpened` or `roundOpenFailed`.
    case openRound(Round, deadline: Date)
    /// Aggregate, evaluate, register and promote or reject `work`'s candidate against `live`,
    /// closing the round in the journal; answer with `committed` or `commitFailed`.
    case commit(RoundWork, live: GlobalModel)
    /// Promote (or reject) a rollout's version with its decision stored beside it, in one
    /// transaction; answer with `rolloutSettled` or `rolloutSettleFailed`.
    case settleRollout(VersionDecision, promote: Bool)
    /// Store a decision that changes no status (a federated evaluation passed, a canary started).
    case recordDecision(VersionDecision)
    /// Run a secure round's unmasking off the actor (it expands a mask per contributor and per
    /// dropped neighbour); answer with `secureSumComputed`.
    case unmaskSecureSum(SecAggUnmaskingJob, round: UInt64)
    /// Tell the event stream (and the metrics) what happened.
    case emit(CoordinatorEvent)
    /// Call `timerFired` at this instant (deduplicated by the shell).
    case wakeUp(at: ContinuousClock.Instant)
    /// Retry the journal writes the registry refused.
    case retryJournal
    /// Stop: cancel timers, end every session, let `run()` return once queued registry work is done.
    case stop(reason: String)
}

/// A write to the round journal, kept until the registry takes it.
enum JournalWrite: Sendable, Equatable {
    case recordUpdate(round: UInt64, clientID: String, examples: Int, digest: String)
    case abandon(round: UInt64, reason: String)
}

extension Duration {
    /// The duration in seconds, as a Double.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
