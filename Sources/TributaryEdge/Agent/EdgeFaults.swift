import TributaryWire

/// Fault injection for tests and simulations (never from the configuration file): a slow
/// client, a client that vanishes after an offer, a job that pauses, a client that lies.
public struct EdgeFaults: Sendable {
    /// Wait this long after training before sending the Update (a slow client).
    public var delayBeforeUpdate: Duration?
    /// Close the connection on receiving a RoundOffer, without answering (a client that drops).
    public var dropAfterOffer: Bool
    /// Called once, from the training thread, at the job's first step (a test holds the job
    /// there to SIGKILL it mid-training).
    public var onTrainingStep: (@Sendable () -> Void)?
    /// Faults decided per round (a simulation's seeded fault plan), on top of the fixed ones.
    public var perRound: (@Sendable (_ roundID: UInt64) -> RoundFault)?
    /// A dishonest client: rewrites each Update after honest training, before it is sent.
    public var rewriteUpdate: (@Sendable (Update) -> Update)?

    /// What one round's offer meets: a drop, or a slow answer.
    public struct RoundFault: Sendable, Equatable {
        public var drop: Bool
        public var delay: Duration?

        public init(drop: Bool = false, delay: Duration? = nil) {
            self.drop = drop
            self.delay = delay
        }
    }

    public init(delayBeforeUpdate: Duration? = nil, dropAfterOffer: Bool = false, onTrainingStep: (@Sendable () -> Void)? = nil,
                perRound: (@Sendable (_ roundID: UInt64) -> RoundFault)? = nil, rewriteUpdate: (@Sendable (Update) -> Update)? = nil) {
        self.rewriteUpdate = rewriteUpdate
        self.delayBeforeUpdate = delayBeforeUpdate
        self.dropAfterOffer = dropAfterOffer
        self.onTrainingStep = onTrainingStep
        self.perRound = perRound
    }

    /// True when the offer of `round` is to be dropped.
    func drops(round: UInt64) -> Bool {
        dropAfterOffer || perRound?(round).drop == true
    }

    /// The wait before sending the Update of `round`, if any.
    func delay(round: UInt64) -> Duration? {
        perRound?(round).delay ?? delayBeforeUpdate
    }

    public static let none = EdgeFaults()
}
