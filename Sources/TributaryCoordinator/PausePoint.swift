/// A point of a round where a test can stop the coordinator (it prints
/// `pause: <point> round <id>` and sleeps) to kill it there deterministically.
/// Set by `TRIBUTARY_TEST_PAUSE_AT` in the `tributary` executable; never in production configs.
public enum PausePoint: String, Sendable, CaseIterable {
    /// The round is journaled as collecting; no offer was sent yet.
    case offered
    /// The first update of the round was accepted and journaled.
    case collecting
    /// The round is journaled as aggregating; nothing is committed.
    case aggregating
    /// The round is journaled as committing; the candidate is not registered yet.
    case committing
    /// The candidate version is registered; the gate's decision is not applied yet.
    case registered
}
