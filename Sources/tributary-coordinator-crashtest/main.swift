import Foundation
import Logging
import TributaryCLI
import Synchronization
@_spi(CrashTesting) import TributaryCoordinator

// Test helper for TributaryCLITests: `tributary coordinator serve` with a crash-test hook, so a
// test can SIGKILL a real coordinator at a chosen point of a round. Not a product; the shipped
// `tributary` has no such hook and no configuration key reaches one.
//
//   tributary-coordinator-crashtest --pause-at POINT --config coordinator.yaml [--set KEY=VALUE]...
//
// At POINT (offered, collecting, aggregating, committing, registered) of the first round that
// reaches it, it prints `pause: POINT round ID` and holds the registry worker there (the
// coordinator's actor keeps serving; no later registry write happens) until it is killed.

func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    exit(2)
}

var pause: PausePoint?
var config: String?
var overrides: [String] = []
var rest = CommandLine.arguments.dropFirst()
while let flag = rest.popFirst() {
    guard let value = rest.popFirst() else { fail("\(flag) needs a value") }
    switch flag {
    case "--pause-at":
        guard let point = PausePoint(rawValue: value) else {
            fail("--pause-at is '\(value)'; must be one of \(PausePoint.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        pause = point
    case "--config": config = value
    case "--set": overrides.append(value)
    default: fail("unknown option '\(flag)'; usage: --pause-at POINT --config FILE [--set KEY=VALUE]...")
    }
}
guard let pause, let config else { fail("usage: --pause-at POINT --config FILE [--set KEY=VALUE]...") }
let configuration: CoordinatorConfiguration
do {
    configuration = try CoordinatorConfiguration.load(contentsOf: config, overrides: overrides)
} catch {
    fail("\(error)")
}
let paused = Mutex(false)
let hooks = CoordinatorHooks(reached: { point, round in
    guard point == pause, !paused.withLock({ let was = $0; $0 = true; return was }) else { return }
    say("pause: \(point.rawValue) round \(round)")
    // Holds the registry worker's thread (not the actor) until the test's SIGKILL.
    while true { sleep(3600) }
})
var logger = Logger(label: "tributary.coordinator")
logger.logLevel = .info
let coordinator = Coordinator(configuration: configuration, logger: logger, hooks: hooks)
do {
    try await CoordinatorProcess.serve(coordinator, logger: logger)
} catch {
    fail("\(error)")
}
