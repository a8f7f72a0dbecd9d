import ArgumentParser
import Foundation
import TributaryEdge
import TributaryEdgeCLI

// Test helper for TributaryCLITests: `tributary-edge run` with a crash-test hook, so a test can
// SIGKILL a real edge agent at a chosen point. Not a product; the shipped `tributary-edge` has
// no such hook and neither its flags, its configuration nor its environment reach one.
//
//   tributary-edge-crashtest --pause-at training [every flag of `tributary-edge run`]
//
// The agent is built exactly as `tributary-edge run` builds it (EdgeRun, from TributaryEdgeCLI).
// At `training`, when a training job reaches its first step, it prints
// `paused at training (pid PID)` and blocks that job's thread until the process is killed; the
// agent's loop and session keep running.

struct EdgeCrashTest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tributary-edge-crashtest",
        abstract: "Test helper: `tributary-edge run` that holds the agent at a pause point until it is killed (not shipped).")

    @Option(help: ArgumentHelp("Where to hold the agent until it is killed; training: a training job's first step.", valueName: "point"))
    var pauseAt: EdgePausePoint
    @OptionGroup var options: RunOptions

    func run() async throws {
        try await EdgeRun.run(options, faults: Self.faults(pausingAt: pauseAt))
    }

    static func faults(pausingAt point: EdgePausePoint) -> EdgeFaults {
        switch point {
        case .training:
            return EdgeFaults(onTrainingStep: {
                say("paused at training (pid \(getpid()))")
                // Holds the training job's thread (not the agent's loop) until the test's SIGKILL.
                while true { sleep(3600) }
            })
        }
    }
}
