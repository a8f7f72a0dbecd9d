import TributaryWire

/// What an edge agent did, for a simulator, tests or a status line. Delivered in order.
public enum EdgeEvent: Sendable, Equatable {
    /// A session opened; `modelVersion` is what the coordinator announced.
    case connected(sessionID: String, modelVersion: UInt64)
    /// Ready was sent, with its trigger name ("volume", "accuracy_drop", "drift", "startup").
    /// `ready` false: the edge withdrew its readiness (nothing pending, `triggers.ready_only_on_trigger`).
    case readySent(trigger: String, ready: Bool = true)
    case offered(round: UInt64, baseVersion: UInt64)
    /// The local job finished.
    case trained(round: UInt64, examples: Int, loss: Double, seconds: Double)
    case updateSent(round: UInt64, examples: Int, loss: Double)
    /// The round was offered again (a coordinator that restarted mid-collection) and the kept
    /// Update of that round was sent again, untrained and unchanged.
    case updateResent(round: UInt64)
    /// An offer left unanswered (no data, deadline passed, delta against a version not held, a fault).
    case skipped(round: UInt64, reason: String)
    /// A secure round asked for this edge's masked input (its keys and shares are out); it sends
    /// it once training gives the input.
    case maskedInputRequested(round: UInt64)
    /// In a secure round: the masked vector went out in place of the Update (trained on `examples`).
    case maskedInputSent(round: UInt64, examples: Int, loss: Double)
    /// This edge answered a secure round's unmasking: its part in the round is done.
    case secureRoundAnswered(round: UInt64)
    case receipt(round: UInt64, status: UpdateReceipt.Status, reason: String)
    /// The edge now holds this global version (a ModelRelease).
    case adopted(version: UInt64)
    /// A ModelRelease that is a delta against a version this edge does not hold: ignored, the
    /// next RoundOffer brings the full model.
    case releaseIgnored(version: UInt64, held: UInt64)
    /// A candidate was evaluated on the local held-out set and the counts sent (an evaluate
    /// round); `reason` says why nothing was counted (no held-out examples…), else empty.
    case evaluated(version: UInt64, examples: UInt64, correct: UInt64, reason: String)
    /// Feedback on served predictions of the held version arrived: how many, how many right, and
    /// what the drift detectors hold after them (``TrainingTrigger/driftStatistics``).
    case liveOutcomes(version: UInt64, outcomes: Int, correct: Int, drift: [String: Double])
    case disconnected(reason: String)
    case backingOff(Duration)
    /// The agent stopped (shutdown requested, or the rounds it was asked for were answered).
    case stopped
}
