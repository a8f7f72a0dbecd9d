/// Fault injection for tests and simulations (never from the configuration file): a slow
/// client, a client that vanishes after an offer, a job that pauses.
public struct EdgeFaults: Sendable {
    /// Wait this long after training before sending the Update (a slow client).
    public var delayBeforeUpdate: Duration?
    /// Close the connection on receiving a RoundOffer, without answering (a client that drops).
    public var dropAfterOffer: Bool
    /// Called once, from the training thread, at the job's first step (a test holds the job
    /// there to SIGKILL it mid-training).
    public var onTrainingStep: (@Sendable () -> Void)?

    public init(delayBeforeUpdate: Duration? = nil, dropAfterOffer: Bool = false, onTrainingStep: (@Sendable () -> Void)? = nil) {
        self.delayBeforeUpdate = delayBeforeUpdate
        self.dropAfterOffer = dropAfterOffer
        self.onTrainingStep = onTrainingStep
    }

    public static let none = EdgeFaults()
}
