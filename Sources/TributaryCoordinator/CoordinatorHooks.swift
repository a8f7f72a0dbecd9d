/// A point of a round a crash test can stop the coordinator at, to SIGKILL it there.
@_spi(CrashTesting) public enum PausePoint: String, Sendable, CaseIterable {
    /// The round is journaled as collecting; no offer was sent yet.
    case offered
    /// An update of the round was accepted and journaled.
    case collecting
    /// The round is journaled as aggregating; nothing is committed.
    case aggregating
    /// The round is journaled as committing; the candidate is not registered yet.
    case committing
    /// The candidate version is registered; the gate's decision is not applied yet.
    case registered
}

/// Test hooks, installed only by code that builds a ``Coordinator`` itself (tests, the
/// `tributary-coordinator-crashtest` executable); the shipped `tributary` has none and no
/// configuration key reaches them.
@_spi(CrashTesting) public struct CoordinatorHooks: Sendable {
    /// Called on the registry worker's thread (never the coordinator's actor) right after the
    /// journal or the registry reached `point` for a round. Registry work waits while it runs:
    /// a crash test blocks here to be killed at exactly that point.
    public var reached: (@Sendable (_ point: PausePoint, _ round: UInt64) -> Void)?

    public init(reached: (@Sendable (_ point: PausePoint, _ round: UInt64) -> Void)? = nil) {
        self.reached = reached
    }

    func reach(_ point: PausePoint, round: UInt64) {
        reached?(point, round)
    }
}
