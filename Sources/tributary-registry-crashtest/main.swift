#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
@_spi(CrashTesting) import TributaryRegistry
import TributaryLearning

// Test helper for TributaryRegistryTests: commits registry versions in a loop until it is
// SIGKILLed, printing one line per durable step so the test can kill it at chosen points.
//
//   tributary-registry-crashtest DIR            register / promote / reject / rollback forever
//   tributary-registry-crashtest DIR --orphan   write one blob with no row, print, then wait
//
// Models are a 64-1024-10 MLP (~77k parameters, ~0.3 MB blobs) so a kill can land mid-write.

/// One line on standard output, written at once (no buffering a SIGKILL could swallow).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: tributary-registry-crashtest DIR [--orphan]\n".utf8))
    exit(2)
}
do {
    // Exclusive, as a coordinator: the lock is released by the kernel when the test kills it.
    let registry = try ModelRegistry(configuration: RegistryConfiguration(directory: arguments[1], access: .exclusive))
    let spec = try ModelSpec.mlp(input: 64, hidden: [1024], outputs: 10)
    var next = (try registry.list().last?.number ?? 0) + 1
    if arguments.contains("--orphan") {
        let digest = try registry.writeBlobOnly(try Checkpoint.fresh(spec: spec, seed: 10_000 + next))
        say("blob \(digest)")
        while true { sleep(60) }
    }
    while true {
        let checkpoint = try Checkpoint.fresh(spec: spec, seed: next)
        let version = try registry.register(candidate: VersionCandidate(
            checkpoint: checkpoint, parent: try registry.live()?.number, roundID: next,
            participants: ["edge-\(next % 3)", "edge-\(next % 5)"], metrics: ["accuracy": Double(next % 100) / 100],
            note: "crash test \(next)"))
        say("registered \(version.number)")
        if version.number % 4 == 3 {
            try registry.reject(version.number, reason: "gate: crash-test rule")
            say("rejected \(version.number)")
        } else {
            try registry.promote(version.number)
            say("promoted \(version.number)")
        }
        if version.number % 5 == 0 {
            let (old, live) = try registry.rollback(reason: "crash-test rollback")
            say("rolledback \(old.number) live \(live.number)")
        }
        next = version.number + 1
    }
} catch {
    FileHandle.standardError.write(Data("crashtest: \(error)\n".utf8))
    exit(1)
}
