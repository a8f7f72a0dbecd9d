import ArgumentParser

/// Where the crash test holds the edge agent.
enum EdgePausePoint: String, CaseIterable, ExpressibleByArgument {
    /// The first step of a training job: nothing of the job is saved yet.
    case training
}
