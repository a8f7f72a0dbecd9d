import Foundation
import TributaryCompression
import TributaryFeedback
import TributaryLearning
import TributaryWire

/// The edge agent as a value with no I/O: the session's phase, the checkpoint it holds, the
/// trigger, the rounds in flight, the Update it last sent, and the reconnect backoff. Each
/// ``Event`` (with the wall-clock time passed in) returns the ``Action``s the shell
/// (``EdgeAgent``) performs, in order; results of I/O come back as events (`windowRead`,
/// `trainingFinished`, `roundSaved`, `updateWritten`, …). It never reads a clock, a file or a
/// socket, so tests drive whole sessions with no sockets and no sleeps (`EdgeInstanceTests`).
///
/// ```swift
/// var edge = EdgeInstance(configuration: config, clientID: "gw-17", held: checkpoint, kept: nil, status: status)
/// for action in edge.handle(.started, now: Date()) { … }   // .connect(after: .zero, modelVersion: 0)
/// ```
public struct EdgeInstance: Sendable {
    public let configuration: EdgeConfiguration
    /// The checkpoint held (one global version; nil before the first model).
    public internal(set) var held: Checkpoint?
    /// The last Update sent, kept to send again when its round is offered again (a coordinator
    /// that restarted mid-collection re-offers the round to the clients it had accepted).
    public internal(set) var kept: Update?
    /// Top-k's error-feedback residual (saved beside the checkpoint), given to each round's
    /// trainer; nil: none yet. The agent sets it from the state directory before it runs.
    public internal(set) var residual: ErrorFeedbackResidual?
    /// Offers answered with an Update this run (resends not counted).
    public internal(set) var roundsAnswered = 0
    public internal(set) var phase: Phase = .idle
    var trigger: TrainingTrigger
    /// The id of the newest example the trigger has seen.
    public internal(set) var cursor: Int64
    /// The id of the newest live outcome (feedback on a served prediction) the trigger has seen.
    public internal(set) var outcomeCursor: Int64
    /// Live outcomes exist: the trigger's right/wrong stream is the feedback on served
    /// predictions, no longer the held model's predictions of newly stored examples.
    public internal(set) var liveFeedback: Bool
    var backoff: ReconnectBackoff
    let faults: EdgeFaults
    let stopAfterRounds: Int?
    /// A session opened since the last backoff: the next failure starts from the initial delay.
    var opened = false
    var stopRequested = false
    /// Rounds being answered, by job id.
    var jobs: [Int: Job] = [:]
    var nextJob = 1
    /// Updates being written, by round id.
    var writing: [UInt64: Write] = [:]
    /// A release being saved.
    var adopting: Checkpoint?
    /// This edge's part in the secure round it was offered, if any.
    var secure: SecureParticipation?
    /// The held model, built once per version, to predict arriving examples.
    var predictor: (version: UInt64, model: Sequential)?

    public enum Phase: Sendable, Equatable {
        /// Not started.
        case idle
        /// A connection attempt is under way (after its backoff delay).
        case connecting
        case open(Session)
        /// Goodbye sent (stop asked, or the rounds asked for were answered): waiting for the close.
        case closing
        case stopped
    }

    public struct Session: Sendable, Equatable {
        public var sessionID: String
        /// The coordinator's Goodbye, when it said one.
        public var goodbye: Goodbye?
        /// Why this edge closed the connection, when it did so for a reason (a release it cannot read).
        public var closeReason: String?
    }

    /// A round being answered: read its window, train, save, send.
    struct Job: Sendable {
        var offer: RoundOffer
        var window: EdgeTrainingWindow?
        var outcome: EdgeTrainer.Outcome?
        var keep: Checkpoint?
        /// A release was adopted since the offer (or since `keep` took the held parameters).
        var releasedDuring = false
    }

    enum Write: Sendable {
        case answer(examples: Int, loss: Double)
        case resend
    }

    /// - Parameters:
    ///   - configuration: validated (``EdgeConfiguration/validated()``).
    ///   - held: the checkpoint on disk, if any.
    ///   - kept: the last Update sent, as kept in the state directory, if any.
    ///   - status: the data's status at start (examples new since the last trained round feed the trigger).
    ///   - faults: drops and slow answers for tests and simulations.
    ///   - stopAfterRounds: say Goodbye{DONE} after answering this many offers (nil: never).
    public init(configuration: EdgeConfiguration, clientID: String, held: Checkpoint?, kept: Update?, status: EdgeDataStatus,
                faults: EdgeFaults = .none, stopAfterRounds: Int? = nil) {
        self.configuration = configuration
        self.held = held
        self.kept = kept
        self.faults = faults
        self.stopAfterRounds = stopAfterRounds
        trigger = TrainingTrigger(configuration: configuration.triggers.trigger)
        _ = trigger.handle(.examplesArrived(status.newSinceTraining))
        cursor = status.newest
        outcomeCursor = status.newestOutcome
        liveFeedback = status.newestOutcome > 0
        backoff = ReconnectBackoff(configuration: configuration.reconnect, seed: configuration.seed &+ Self.hash(clientID))
    }

    /// The global version held (0: none).
    public var heldVersion: UInt64 { ModelAdoption.version(of: held) }

    /// A session is open.
    public var isOpen: Bool {
        if case .open = phase { return true }
        return false
    }

    public enum Event: Sendable {
        /// `run()` began: connect now.
        case started
        /// The session opened (Welcome). `announced`: the examples the Hello reported;
        /// `available`: the examples held now (they differ when data arrived during the handshake).
        case connected(sessionID: String, modelVersion: UInt64, announced: UInt64, available: UInt64)
        /// The connection closed after the session opened (by either side, without an error).
        case sessionClosed
        /// The connection could not open, or failed.
        case sessionFailed(any Error)
        case received(WireMessage)
        /// Time to look at newly stored examples (every `triggers.check_interval`).
        case arrivalsDue
        /// The answer to ``Action/readOutcomes(after:)``.
        case outcomesArrived([LiveOutcome], cursor: Int64)
        /// The answer to ``Action/readArrivals(after:)``.
        case examplesArrived(Dataset, cursor: Int64)
        /// The answer to ``Action/readWindow(job:limit:onlyNew:)``.
        case windowRead(job: Int, Result<EdgeTrainingWindow, any Error>)
        /// The answer to ``Action/train(job:offer:trainer:)``.
        case trainingFinished(job: Int, Result<EdgeTrainer.Outcome, any Error>)
        /// The answer to ``Action/saveRound(job:keep:update:window:)``: nil, or why it failed.
        case roundSaved(job: Int, failure: String?)
        /// The answer to ``Action/saveCheckpoint(_:)``: nil, or why it failed.
        case checkpointSaved(version: UInt64, failure: String?)
        /// The answer to ``Action/sendUpdate(_:)``: nil, or why the write failed.
        case updateWritten(round: UInt64, failure: String?)
        case timerFired(Timer)
        /// Someone wants the coordinator told the edge's facts now (new data in a simulation).
        case announce(trigger: String)
        /// Shutdown asked (stop(), SIGTERM, cancellation).
        case stopRequested
    }

    public enum Timer: Sendable, Equatable {
        /// A slow client's Update (fault injection) is due.
        case sendUpdate(job: Int)
    }

    public enum Action: Sendable {
        /// Open a session after `after`, with a Hello reporting `modelVersion` and the examples held.
        case connect(after: Duration, modelVersion: UInt64)
        /// Send Ready named `trigger` with the current facts (examples held, `modelVersion`),
        /// then emit ``EdgeEvent/readySent(trigger:ready:)``.
        /// `ready` false: nothing pending (``EdgeConfiguration/Triggers/readyOnlyOnTrigger``).
        case sendReady(trigger: String, modelVersion: UInt64, ready: Bool = true)
        /// Read the live outcomes recorded after `after`; answer ``Event/outcomesArrived(_:cursor:)``.
        case readOutcomes(after: Int64)
        /// Read the examples stored after `after`; answer ``Event/examplesArrived(_:cursor:)``.
        case readArrivals(after: Int64)
        /// Read a round's training window; answer ``Event/windowRead(job:_:)``.
        case readWindow(job: Int, limit: Int, onlyNew: Bool)
        /// Run the job off the event loop; answer ``Event/trainingFinished(job:_:)``.
        case train(job: Int, offer: RoundOffer, trainer: EdgeTrainer)
        /// Save the round atomically: checkpoint `keep`, then top-k's `residual` (when the round
        /// changed it), then `update` as the kept Update, then the window's examples as trained;
        /// answer ``Event/roundSaved(job:failure:)``.
        case saveRound(job: Int, keep: Checkpoint, update: Update, window: EdgeTrainingWindow, residual: ErrorFeedbackResidual? = nil)
        /// Save an adopted release; answer ``Event/checkpointSaved(version:failure:)``.
        case saveCheckpoint(Checkpoint)
        /// Write the Update; answer ``Event/updateWritten(round:failure:)``.
        case sendUpdate(Update)
        /// Write a secure round's message (best effort: a lost one drops this edge from the round).
        case sendSecure(SecureAggregationMessage)
        /// Read the held-out set, evaluate `candidate` on it and send the ``EvaluateResult``, then
        /// emit ``EdgeEvent/evaluated(version:examples:correct:reason:)``. Nothing is saved.
        case evaluate(EvaluateRequest, candidate: Checkpoint)
        /// Send a result without evaluating (the candidate could not be built).
        case sendEvaluateResult(EvaluateResult)
        /// Write a Goodbye (best effort: the session closes after it).
        case sendGoodbye(Goodbye)
        case schedule(Timer, after: Duration)
        /// Close the connection.
        case close
        case emit(EdgeEvent)
        /// The agent stopped: `run()` returns.
        case finish
        /// Retrying cannot help: `run()` throws.
        case fail(EdgeError)
    }

    public mutating func handle(_ event: Event, now: Date) -> [Action] {
        switch event {
        case .started:
            phase = .connecting
            return [.connect(after: .zero, modelVersion: heldVersion)]
        case .connected(let sessionID, let modelVersion, let announced, let available):
            return connected(sessionID: sessionID, modelVersion: modelVersion, announced: announced, available: available)
        case .sessionClosed:
            return sessionEnded(failure: nil)
        case .sessionFailed(let error):
            return sessionEnded(failure: error)
        case .received(let message):
            return received(message)
        case .arrivalsDue:
            return isOpen ? [.readOutcomes(after: outcomeCursor), .readArrivals(after: cursor)] : []
        case .outcomesArrived(let outcomes, let next):
            return outcomesArrived(outcomes, cursor: next)
        case .examplesArrived(let examples, let next):
            return examplesArrived(examples, cursor: next)
        case .windowRead(let job, let result):
            return windowRead(job: job, result)
        case .trainingFinished(let job, let result):
            return trainingFinished(job: job, result, now: now)
        case .roundSaved(let job, let failure):
            return roundSaved(job: job, failure: failure)
        case .checkpointSaved(let version, let failure):
            return checkpointSaved(version: version, failure: failure)
        case .updateWritten(let round, let failure):
            return updateWritten(round: round, failure: failure)
        case .timerFired(.sendUpdate(let job)):
            return sendAnswer(job: job)
        case .announce(let name):
            return isOpen ? [.sendReady(trigger: name, modelVersion: heldVersion)] : []
        case .stopRequested:
            return stop()
        }
    }

    /// FNV-1a of the client id: each edge of a fleet jitters differently from the same seed.
    static func hash(_ text: String) -> UInt64 {
        text.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}
