import Foundation
import TributaryEdge

/// Hooks for process tests, from the environment (never from the configuration file).
///
/// `TRIBUTARY_TEST_PAUSE_AT=training`: at the first step of the first training job, print
/// "paused at training" and sleep, so that a test's SIGKILL lands mid-job deterministically.
enum TestingHooks {
    static func faults() -> EdgeFaults {
        guard ProcessInfo.processInfo.environment["TRIBUTARY_TEST_PAUSE_AT"] == "training" else { return .none }
        return EdgeFaults(onTrainingStep: {
            say("TRIBUTARY_TEST_PAUSE_AT=training: paused at training (pid \(ProcessInfo.processInfo.processIdentifier))")
            while true { Thread.sleep(forTimeInterval: 3600) }
        })
    }
}
